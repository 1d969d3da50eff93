/* projectcalico/bird nest/proto.c shapes. */
#define PD(pr, msg, args...) do { if (pr->debug & D_STATES) { log(L_TRACE "%s: " msg, pr->name , ## args); } } while(0)

static void
proto_relink(struct proto *p)
{
  PD(p, "State changed to %s", proto_state_name(p));
  log(L_ERR "Protocol %s does not support %s", p->name, "x");
  if (!p)
    bug("Protocol %s: unexpected state", p->name);
  die("Cannot open %s: %m", "file");
}

void log_msg(const char *msg, ...);
