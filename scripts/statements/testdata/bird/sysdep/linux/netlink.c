/* projectcalico/bird sysdep/linux/netlink.c shapes. */
static int
nl_error(struct nlmsghdr *h, int ignore_esrch)
{
  if (ec && !(ignore_esrch && (ec == ESRCH)))
    log_rl(&rl_netlink_err, L_WARN "Netlink: %s", strerror(ec));
  log(L_DEBUG "KRT: Opening async netlink socket");
  return ec;
}

static void
nl_parse_route(struct nlmsghdr *h)
{
  log(L_ERR "KRT: Received strange multipath route %I/%d", net->n.prefix, net->n.pxlen);
}
