// Shapes from felix/routetable/route_table.go (projectcalico/calico v3.29): a logCxt field with
// context keys, WithField/WithError chains, netlink failures in the err branch.
package routetable

import (
	log "github.com/sirupsen/logrus"
	"github.com/vishvananda/netlink"

	"github.com/projectcalico/calico/libcalico-go/lib/logutils"
)

type RouteTable struct {
	logCxt     *log.Entry
	opReporter *logutils.RateLimitedLogger
}

func New(ipVersion int) *RouteTable {
	return &RouteTable{
		logCxt:     log.WithFields(log.Fields{"ipVersion": ipVersion, "ifaceRegex": "cali.*"}),
		opReporter: logutils.NewRateLimitedLogger(),
	}
}

func (r *RouteTable) add(route netlink.Route, ifaceName string) {
	logCxt := r.logCxt.WithField("ifaceName", ifaceName)
	if err := netlink.RouteAdd(&route); err != nil {
		logCxt.WithError(err).WithField("route", route).Warn("Failed to add route")
	}
	logCxt.Debugf("Added route to %s via %v", ifaceName, route.Gw)
	r.opReporter.Infof("Resync took %v", 3)
	const name = "cali"
	log.Info("Interface " + name + " is up")
}

func (r *RouteTable) deleteFDB(n netlink.Neigh) {
	err := netlink.NeighDel(&n)
	if err != nil {
		r.logCxt.WithError(err).Warnf("Failed to delete neighbor FDB entry %+v", n)
	}
}

// Not a netlink failure: the error comes from somewhere else.
func (r *RouteTable) parse(s string) {
	if _, err := parseCIDR(s); err != nil {
		r.logCxt.WithError(err).Error("Failed to parse CIDR")
	}
}

func parseCIDR(s string) (string, error) { return s, nil }

func (r *RouteTable) dynamicLevel(l log.Level) {
	log.Log(l, "no level")
}
