#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine, without Docker and without touching the host's network:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, containerd, kubelet and kube-proxy, all inside one
# network namespace this script creates (plus a private mount namespace), with pods on a CNI bridge.
#
#   scripts/node-up.sh     start it (stops a previous one first); prints the state folder on the last line
#   scripts/node-down.sh   stop it and remove what it made
#   scripts/node-exec.sh   run a command inside it: scripts/node-exec.sh kubectl get pods -A
#
# The state folder ($LEAKOPERATOR_CACHE/node, default ~/.cache/leakoperator/node) holds the admin kubeconfig, the
# daemons' logs (logs/), and "holder", the pid of the process that owns the namespaces. Needs root.
set -euo pipefail

log() { printf '[node-up] %s\n' "$*" >&2; }

repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/scripts/lib/node.sh"
source "$repo/scripts/lib/kubernetes-source.sh"

[[ $EUID -eq 0 ]] || { log "needs root (namespaces, containerd, kubelet)"; exit 1; }
apt_install containerd runc containernetworking-plugins conntrack iptables iproute2 openssl python3 etcd-server curl
bin=$("$repo/scripts/kubernetes-binaries.sh" | tail -n 1)

"$repo/scripts/node-down.sh" >/dev/null 2>&1 || true
started=$SECONDS
mkdir -p "$NODE_STATE"/{pki,logs,etcd,kubelet,containerd/root,containerd/state,cni/net.d,cni/ipam,images}

# --- The network: one namespace, the node's address on a veth whose peer stays inside it. -----------------------
ip netns add "$NODE_NETNS"
ns() { ip netns exec "$NODE_NETNS" "$@"; }
ns ip link set lo up
ns ip link add eth0 type veth peer name eth0-peer
ns ip addr add "$NODE_IP/24" dev eth0
ns ip link set eth0 up
ns ip link set eth0-peer up
# Service IPs are routed out of eth0 so that kube-proxy's DNAT (OUTPUT chain) sees them; nothing answers outside.
ns ip route add default dev eth0
ns sysctl -qw net.ipv4.ip_forward=1

# One holder process owns the node's network namespace and a private mount namespace (kubelet's and containerd's
# mounts, such as ServiceAccount token tmpfs, must be visible to both and to runc; `ip netns exec` would remount
# /sys and hide the cgroup controllers). Every daemon, and kubectl/helm/curl in tests, enters both through it.
setsid nsenter --net="/run/netns/$NODE_NETNS" -- unshare --mount --propagation slave -- sleep infinity \
  </dev/null >/dev/null 2>&1 &
echo $! > "$NODE_STATE/holder"
holder=$(cat "$NODE_STATE/holder")

# --- Certificates: one CA signs the API server's serving certificate (the service IP is in its SANs, as pods reach
# it there) and is the ServiceAccount root CA; the service-account key signs pods' tokens. --------------------------
pki="$NODE_STATE/pki"
openssl genrsa -out "$pki/ca.key" 2048 2>/dev/null
openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=leakoperator-node-ca" -days 2 -out "$pki/ca.crt" 2>/dev/null
openssl genrsa -out "$pki/apiserver.key" 2048 2>/dev/null
openssl req -new -key "$pki/apiserver.key" -subj "/CN=kube-apiserver" -out "$pki/apiserver.csr" 2>/dev/null
cat > "$pki/apiserver.ext" <<EOF
subjectAltName = IP:$SERVICE_IP, IP:$NODE_IP, IP:127.0.0.1, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:localhost
extendedKeyUsage = serverAuth
EOF
openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
  -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt" 2>/dev/null
openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
token=$(openssl rand -hex 16)
echo "$token,admin,admin,system:masters" > "$pki/tokens.csv"
cat > "$NODE_KUBECONFIG" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: node
  cluster:
    server: https://$NODE_IP:6443
    certificate-authority: $pki/ca.crt
users:
- name: admin
  user:
    token: $token
contexts:
- name: node
  context: {cluster: node, user: admin}
current-context: node
EOF

# --- containerd: its own root, state and socket; the local pause image; no OOM score changes (these VMs lack
# CAP_SYS_RESOURCE: without restrict_oom_score_adj every sandbox fails with "can't get final child's PID"). ---------
cat > "$NODE_STATE/containerd/config.toml" <<EOF
version = 2
root = "$NODE_STATE/containerd/root"
state = "$NODE_STATE/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$NODE_SOCKET"
[ttrpc]
  address = "$NODE_SOCKET.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$NODE_STATE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$NODE_STATE/cni/net.d"
EOF
cat > "$NODE_STATE/cni/net.d/10-bridge.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "leakoperator-node",
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}],
              "dataDir": "$NODE_STATE/cni/ipam"}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF

# start NAME COMMAND...: a daemon inside the node's namespaces, in its own session, logging to logs/NAME.log.
start() {
  local name=$1
  shift
  setsid nsenter -t "$holder" -m -n -- "$@" </dev/null >"$NODE_STATE/logs/$name.log" 2>&1 &
  echo $! > "$NODE_STATE/$name.pid"
}

# wait_for WHAT SECONDS COMMAND...: polls COMMAND (inside the node) until it succeeds.
wait_for() {
  local what=$1 deadline=$((SECONDS + $2))
  shift 2
  until nsenter -t "$holder" -m -n -- "$@" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      log "timed out waiting for $what; last log lines:"
      tail -n 20 "$NODE_STATE"/logs/*.log >&2
      exit 1
    fi
    sleep 0.5
  done
}

log "starting etcd, kube-apiserver, containerd"
start etcd /usr/bin/etcd --name=node --data-dir="$NODE_STATE/etcd" \
  --listen-client-urls=http://127.0.0.1:2379 --advertise-client-urls=http://127.0.0.1:2379 \
  --listen-peer-urls=http://127.0.0.1:2380 --initial-advertise-peer-urls=http://127.0.0.1:2380 \
  --initial-cluster=node=http://127.0.0.1:2380 --unsafe-no-fsync
start kube-apiserver "$bin/kube-apiserver" --etcd-servers=http://127.0.0.1:2379 \
  --bind-address=0.0.0.0 --advertise-address="$NODE_IP" --secure-port=6443 --insecure-port=0 \
  --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" --client-ca-file="$pki/ca.crt" \
  --token-auth-file="$pki/tokens.csv" --authorization-mode=RBAC --allow-privileged=true \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
  --kubelet-preferred-address-types=InternalIP,Hostname
start containerd /usr/bin/containerd --config "$NODE_STATE/containerd/config.toml"

kubectl_node() { nsenter -t "$holder" -m -n -- kubectl --kubeconfig "$NODE_KUBECONFIG" "$@"; }
wait_for "containerd" 60 ctr --address "$NODE_SOCKET" version

# The sandbox image: the pause binary built with the Kubernetes binaries, as an OCI image-layout tar.
python3 "$repo/scripts/lib/oci-image.py" --name "$PAUSE_IMAGE" --rootfs-file "$bin/pause:/pause" \
  --entrypoint '["/pause"]' --user 65535:65535 --output "$NODE_STATE/images/pause.tar"
node_import_image "$NODE_STATE/images/pause.tar"

wait_for "kube-apiserver" 120 kubectl --kubeconfig "$NODE_KUBECONFIG" get --raw /readyz

log "starting kube-controller-manager, kube-scheduler, kubelet, kube-proxy"
start kube-controller-manager "$bin/kube-controller-manager" --kubeconfig="$NODE_KUBECONFIG" --leader-elect=false \
  --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" --use-service-account-credentials=true \
  --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" --port=0 --secure-port=0 \
  --controllers='*,-nodeipam,-route,-service,-cloud-node-lifecycle,-ttl-after-finished'
start kube-scheduler "$bin/kube-scheduler" --kubeconfig="$NODE_KUBECONFIG" --leader-elect=false --port=0 --secure-port=0

echo "nameserver 127.0.0.1" > "$NODE_STATE/resolv.conf"
cat > "$NODE_STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failSwapOn: false
resolvConf: $NODE_STATE/resolv.conf
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
address: $NODE_IP
readOnlyPort: 0
serializeImagePulls: false
# The machine's disk and memory are shared with everything else the tests run: no evictions of the test's pods.
evictionHard: {memory.available: "1Mi", nodefs.available: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
EOF
start kubelet "$bin/kubelet" --config="$NODE_STATE/kubelet.yaml" --kubeconfig="$NODE_KUBECONFIG" \
  --root-dir="$NODE_STATE/kubelet" --container-runtime=remote --container-runtime-endpoint="unix://$NODE_SOCKET" \
  --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --cert-dir="$NODE_STATE/kubelet/pki"
start kube-proxy "$bin/kube-proxy" --kubeconfig="$NODE_KUBECONFIG" --proxy-mode=iptables \
  --hostname-override="$NODE_NAME" --cluster-cidr="$POD_CIDR" --metrics-bind-address=127.0.0.1:10249 \
  --conntrack-max-per-core=0 --conntrack-min=0 \
  --conntrack-tcp-timeout-established=0 --conntrack-tcp-timeout-close-wait=0

wait_for "node $NODE_NAME Ready" 120 sh -c "kubectl --kubeconfig '$NODE_KUBECONFIG' get node '$NODE_NAME' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
wait_for "the default ServiceAccount" 60 kubectl --kubeconfig "$NODE_KUBECONFIG" get serviceaccount default -n default
log "node $NODE_NAME Ready in $((SECONDS - started)) s (state and logs in $NODE_STATE)"
echo "$NODE_STATE"
