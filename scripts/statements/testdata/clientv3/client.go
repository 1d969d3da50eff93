// libcalico-go/lib/clientv3/client.go v3.29: the Tier "already exists" family.
package clientv3

import (
	log "github.com/sirupsen/logrus"
)

func ensureTier(name string, err error) {
	log.WithError(err).Infof("Tier %v already exists.", name)
}
