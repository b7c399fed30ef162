# Sourced by the node scripts: where the single-node cluster lives and how it is addressed. All addresses are inside
# the network namespace the node scripts create; nothing here is routed on the host.
NODE_STATE="${LEAKOPERATOR_CACHE:-$HOME/.cache/leakoperator}/node"
NODE_NETNS=leakoperator-node
NODE_NAME=leakoperator-node
NODE_IP=10.77.0.2
POD_CIDR=10.88.0.0/16
SERVICE_CIDR=10.96.0.0/16
SERVICE_IP=10.96.0.1
NODE_KUBECONFIG="$NODE_STATE/admin.kubeconfig"
NODE_SOCKET="$NODE_STATE/containerd/containerd.sock"
PAUSE_IMAGE=registry.local/leakoperator/pause:3.2

# node_holder: the pid owning the node's namespaces (empty when no node runs).
node_holder() {
  local pid
  pid=$(cat "$NODE_STATE/holder" 2>/dev/null) || return 0
  [[ -e "/proc/$pid/ns/net" ]] && echo "$pid"
}

# node_import_image TAR: imports an OCI image-layout tar into the node's containerd (namespace k8s.io, where the
# kubelet looks); pods use it with imagePullPolicy IfNotPresent or Never, as no registry is reachable here.
node_import_image() {
  nsenter -t "$(node_holder)" -m -n -- ctr --address "$NODE_SOCKET" -n k8s.io images import --all-platforms "$1" >&2
}
