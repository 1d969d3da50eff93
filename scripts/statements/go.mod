module calico-logsift/scripts/statements

go 1.22
