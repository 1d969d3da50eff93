// felix/dataplane/linux/vxlan_mgr.go: the netlink calls are one function away.
package vxlan

import (
	"github.com/sirupsen/logrus"
	"github.com/vishvananda/netlink"
)

type mgr struct{}

func (m *mgr) configureVXLANDevice(mtu int) error {
	return netlink.LinkSetMTU(nil, mtu)
}

func (m *mgr) loop() {
	if err := m.configureVXLANDevice(1400); err != nil {
		logrus.WithError(err).Warning("Failed to configure VXLAN tunnel device, retrying...")
	}
}

// Not a netlink failure: the error comes from somewhere else.
func (m *mgr) parse(s string) {
	if _, err := parseMAC(s); err != nil {
		logrus.WithError(err).Warn("Failed to parse VTEP mac address")
	}
}

func parseMAC(s string) (string, error) { return s, nil }
