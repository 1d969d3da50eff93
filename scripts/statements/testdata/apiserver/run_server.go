// apiserver/cmd/apiserver/server/run_server.go shapes: klog printf, klog.V(n), structured klog.
package server

import (
	"k8s.io/klog/v2"
)

func run(err error, key string) {
	klog.Infof("Running the API server")
	klog.Errorf("Error running API server:  %v", err)
	klog.V(4).Infof("Get called with key: %v on resource %v\n", key, "tiers")
	klog.InfoS("Watching", "key", key, "resource", "tiers")
	klog.ErrorS(err, "Watch failed", "key", key)
}
