#!/usr/bin/env bash
# Creates the qpidd-ha resources of a 3-node Pacemaker cluster (pcs 0.11, no pcsd needed):
#   qpidd-clone  promotable clone of ocf:qpid:qpidd, one broker per node, one Promoted (primary)
#   qpidd-vip    the clients' virtual IP, always on the node of the Promoted broker
#   qpidd-broker-vip (only with BROKER_VIP) a second VIP placed the same way, e.g. for
#                stand-alone replicas or administrators that follow the primary
#
#   pcs-examples/create-resources.sh                        # live: on any node of the cluster
#   PCS="pcs -f cib.xml" pcs-examples/create-resources.sh   # offline: into a CIB file
#
# Settings (environment): VIP (10.99.7.100), VIP_NETMASK (24), VIP_NIC (empty: the interface
# holding the VIP's subnet), BROKER_VIP (empty: none), QPIDD_BINARY (/usr/sbin/qpidd), PORT
# (5672), LOG_FILE (/var/log/qpidd-ha/qpidd.log), CLONE_MAX (3), NOTIFY (false: the clone's
# notify meta-attribute; the agent needs no notifications, and they slow a failover: README.md).
# FORCE=1 passes --force to pcs for the agent's resource only: needed when the node running pcs
# has no ocf:qpid:qpidd installed (pcs checks parameters against the agent's meta-data).
set -euo pipefail

read -r -a PCS <<<"${PCS:-pcs}"
VIP=${VIP:-10.99.7.100}
VIP_NETMASK=${VIP_NETMASK:-24}
VIP_NIC=${VIP_NIC:-}
BROKER_VIP=${BROKER_VIP:-}
QPIDD_BINARY=${QPIDD_BINARY:-/usr/sbin/qpidd}
PORT=${PORT:-5672}
LOG_FILE=${LOG_FILE:-/var/log/qpidd-ha/qpidd.log}
CLONE_MAX=${CLONE_MAX:-3}
NOTIFY=${NOTIFY:-false}
case $NOTIFY in
  true|false) ;;
  *) echo "create-resources.sh: NOTIFY must be true or false, not '$NOTIFY'" >&2; exit 2 ;;
esac
force=()
[ "${FORCE:-}" = 1 ] && force=(--force)

vip_options() {  # IP
  echo "ip=$1" "cidr_netmask=$VIP_NETMASK"
  [ -n "$VIP_NIC" ] && echo "nic=$VIP_NIC"
  return 0
}

# Cluster-wide: a failed resource may come back on its node after a minute.
"${PCS[@]}" resource defaults update failure-timeout=60s

# One broker per node. Each reads /etc/qpid/qpidd.conf (see qpidd.conf here): ha-cluster=yes,
# the real addresses of all three in ha-brokers-url, the VIP as ha-public-url.
#  - monitor per role, at different intervals (Pacemaker requires them to differ); the
#    Promoted one is short because it times the failover.
#  - migration-threshold=1: one failure of an instance bans it from its node (until
#    failure-timeout), so a dead primary is not restarted in place: Pacemaker stops it and
#    promotes the ready backup with the highest promotion score at once. on-fail=restart is
#    the default, written out to be explicit.
#  - resource-stickiness: a node that comes back runs a backup; the primary stays where it is.
#  - notify=false: the agent's promote asks the other members itself; each round of
#    notifications would add to every failover (README.md).
"${PCS[@]}" resource create qpidd ocf:qpid:qpidd \
    binary="$QPIDD_BINARY" config=/etc/qpid/qpidd.conf data_dir=/var/lib/qpidd port="$PORT" \
    log_file="$LOG_FILE" \
    op start timeout=60s \
    op stop timeout=60s \
    op promote timeout=60s \
    op demote timeout=120s \
    op notify timeout=20s \
    op monitor interval=2s role=Promoted timeout=20s on-fail=restart \
    op monitor interval=5s role=Unpromoted timeout=20s on-fail=restart \
    meta migration-threshold=1 resource-stickiness=100 \
    promotable promoted-max=1 promoted-node-max=1 clone-max="$CLONE_MAX" clone-node-max=1 \
    notify="$NOTIFY" "${force[@]}"

add_vip() {  # NAME IP
  # shellcheck disable=SC2046
  "${PCS[@]}" resource create "$1" ocf:heartbeat:IPaddr2 $(vip_options "$2") \
      op monitor interval=5s timeout=20s meta migration-threshold=1
  # Where the primary is, and only once it is promoted. Not symmetrical: a demotion need not
  # wait for the VIP to stop, so that in a failover the old VIP goes while the backup is promoted
  # (a client that reaches a demoted broker is refused and tries again).
  "${PCS[@]}" constraint colocation add "$1" with Promoted qpidd-clone INFINITY
  "${PCS[@]}" constraint order promote qpidd-clone "then" start "$1" symmetrical=false
}
add_vip qpidd-vip "$VIP"
[ -n "$BROKER_VIP" ] && add_vip qpidd-broker-vip "$BROKER_VIP"
exit 0
