#!/usr/bin/env bash
# Fencing (STONITH) for the 3-node qpidd-ha cluster: an EXAMPLE to adapt, every command commented.
#
# Production needs fencing: a node that stops answering may still run a primary broker and hold
# the VIP; only once it is fenced (powered off) may Pacemaker safely promote another broker and
# move the VIP. Without it, Pacemaker refuses to start resources (crm_verify: "Resource start-up
# disabled since no STONITH resources have been defined") unless stonith-enabled=false, which is
# for test clusters only (the project's tests run without fence devices).
#
#   pcs-examples/fencing.sh                        # live
#   PCS="pcs -f cib.xml" pcs-examples/fencing.sh   # offline, into a CIB file
set -euo pipefail
read -r -a PCS <<<"${PCS:-pcs}"

# One IPMI fence device per node (package fence-agents; pcs stonith describe fence_ipmilan):
# for n in 1 2 3; do
#   "${PCS[@]}" stonith create "fence-node$n" fence_ipmilan \
#       pcmk_host_list="node$n" ip="10.0.0.$((200 + n))" username=admin password=secret lanplus=1 \
#       op monitor interval=60s
#   # A node never runs its own fence device.
#   "${PCS[@]}" constraint location "fence-node$n" avoids "node$n"
# done
#
# Or shared storage based fencing (sbd) with a watchdog, or fence_virsh/fence_xvm for virtual
# machines: same pattern, one device per node or one device listing every node.
#
# "${PCS[@]}" property set stonith-enabled=true
# "${PCS[@]}" property set stonith-timeout=60s

# Test clusters only (what the project's tests do):
# "${PCS[@]}" property set stonith-enabled=false
echo "fencing.sh: an example only; edit it (every command is commented out)" >&2
