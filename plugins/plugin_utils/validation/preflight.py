# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight of one node: what the cluster role's preflight tasks collected on it, checked on the controller.

The filter ``cluster_preflight_problems`` exposes ``node_problems``.
"""

import ipaddress
import re

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.base import (
    DASH,
    to_bool,
    to_ip,
    to_port,
    to_text,
)
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.versions import parse_version

_TCP_LISTEN = '0A'


def listening_ports(proc_net_tcp):
    """TCP ports in LISTEN state from the text of /proc/net/tcp and /proc/net/tcp6."""
    ports = set()
    for line in (proc_net_tcp or '').splitlines():
        fields = line.split()
        if len(fields) < 4 or ':' not in fields[1] or fields[3] != _TCP_LISTEN:
            continue
        try:
            ports.add(int(fields[1].rsplit(':', 1)[1], 16))
        except ValueError:
            continue
    return ports


def cgroup_v1_pids_enabled(proc_cgroups):
    """True when /proc/cgroups lists the pids controller as enabled."""
    for line in (proc_cgroups or '').splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[0] == 'pids':
            return fields[3] == '1'
    return False


def _python_problems(data):
    """Problems with the node's Python, from ``probe`` lines 'PATH MAJOR.MINOR'."""
    probe = data.get('python_probe')
    if probe is None:
        return []
    # '2.19.4', '2.20.0rc1', '2.18.0.post0': only the release numbers matter.
    match = re.match(r'^(\d+)\.(\d+)', to_text(data.get('controller_ansible_version', '')))
    controller = (int(match.group(1)), int(match.group(2))) if match else (2, 19)
    found = []
    for line in to_text(probe).splitlines():
        parts = line.split()
        if len(parts) == 2 and re.match(r'^\d+\.\d+$', parts[1]):
            found.append((tuple(int(x) for x in parts[1].split('.')), parts[0]))
    usable = [item for item in found if _python_ok(item[0], controller)]
    if usable:
        return []
    listing = ', '.join('%s %d.%d' % (path, ver[0], ver[1]) for ver, path in found) or 'none'
    return ['ansible_python_interpreter: no Python this ansible-core %d.%d can use (found: %s)%s'
            'ansible-core 2.17+ runs modules only with Python 3.7+ on the node; on CentOS 7 install a newer '
            'Python and set ansible_python_interpreter, or run this collection from ansible-core 2.16'
            % (controller[0], controller[1], listing, DASH)]


def _python_ok(version, controller):
    if controller[:2] >= (2, 17):
        return version >= (3, 7)
    return version == (2, 7) or version >= (3, 6)


def _os_problems(facts, supported, problems, warnings):
    distribution = to_text(facts.get('distribution', ''))
    major = to_text(facts.get('distribution_major_version', ''))
    version = to_text(facts.get('distribution_version', ''))
    release = to_text(facts.get('distribution_release', ''))
    versions = [to_text(v) for v in (supported.get(distribution) or [])]
    if distribution == 'CentOS' and release.lower() == 'stream':
        versions = []
    if major not in versions and version not in versions:
        listing = '; '.join('%s %s' % (name, ', '.join(to_text(v) for v in vers)) for name, vers in
                            sorted(supported.items()))
        problems.append('%s %s is not a supported operating system%ssupported: %s'
                        % (distribution or 'unknown', version or major, DASH, listing))
    elif distribution == 'CentOS' and major == '7':
        warnings.append('CentOS 7 is past end of life: kernel 3.10, cgroup v1 and Python 3.6 only; it needs '
                        'ansible-core 2.16 on the controller and cluster_fail_cgroup_v1: false for Kubernetes '
                        '1.35+; plan a move to Rocky/Alma 9')


def _kernel_warnings(facts, warnings):
    match = re.match(r'^(\d+)\.(\d+)', to_text(facts.get('kernel', '')))
    if match and (int(match.group(1)), int(match.group(2))) < (4, 19):
        warnings.append('kernel %s is older than 4.19, the oldest kernel recent Kubernetes releases test; '
                        'kubeadm SystemVerification may warn or fail' % facts.get('kernel'))


def _cgroup_problems(data, version, problems, warnings):
    cgroup = data.get('cgroup')
    if cgroup is None:
        return
    settings = data.get('settings') or {}
    controllers = cgroup.get('v2_controllers')
    if controllers is not None:
        if 'pids' not in controllers.split():
            problems.append('cgroup v2 without the pids controller (missing from /sys/fs/cgroup/cgroup.controllers)%s'
                            'kubeadm fails with "missing required cgroups: pids"; use a kernel with '
                            'CONFIG_CGROUP_PIDS' % DASH)
        return
    if not cgroup_v1_pids_enabled(cgroup.get('v1_proc_cgroups')):
        problems.append('cgroup v1 without the pids controller (not enabled in /proc/cgroups)%skubeadm fails with '
                        '"missing required cgroups: pids"; upgrade the kernel (>= 4.3) or enable it' % DASH)
    if version and version[:2] >= (1, 35) and to_bool(settings.get('cluster_fail_cgroup_v1', True)):
        problems.append('cluster_fail_cgroup_v1: the host uses cgroup v1 and kubelet %d.%d refuses it%sboot with '
                        'systemd.unified_cgroup_hierarchy=1 (cgroup v2), or set cluster_fail_cgroup_v1: false'
                        % (version[0], version[1], DASH))
    elif version and version[:2] >= (1, 35):
        warnings.append('cgroup v1 allowed by cluster_fail_cgroup_v1: false; Kubernetes keeps it in maintenance '
                        'mode only; plan a move to cgroup v2')
    else:
        warnings.append('cgroup v1: Kubernetes keeps it in maintenance mode and 1.35 refuses it by default; '
                        'plan a move to cgroup v2')


def _resource_problems(data, facts, problems):
    settings = data.get('settings') or {}
    role = 'control_plane' if data.get('is_control_plane') else 'worker'
    min_cpus = int(settings.get('cluster_preflight_min_cpus_' + role, 1))
    min_mem = int(settings.get('cluster_preflight_min_memory_mb_' + role, 0))
    cpus = facts.get('processor_vcpus') or facts.get('processor_count') or 0
    memory = facts.get('memtotal_mb') or 0
    if int(cpus) < min_cpus:
        problems.append('cluster_preflight_min_cpus_%s: %s CPUs, a %s needs at least %d%sadd CPUs'
                        % (role, cpus, role.replace('_', ' '), min_cpus, DASH))
    if int(memory) < min_mem:
        problems.append('cluster_preflight_min_memory_mb_%s: %s MiB of memory, a %s needs at least %d%sadd memory'
                        % (role, memory, role.replace('_', ' '), min_mem, DASH))


def _clock_problems(data, problems):
    clock = data.get('clock')
    if not clock:
        return
    settings = data.get('settings') or {}
    limit = float(settings.get('cluster_preflight_max_clock_skew_seconds', 10))
    try:
        before, node, after = (float(clock[key]) for key in ('before', 'node', 'after'))
    except (KeyError, TypeError, ValueError):
        return
    # The node read its clock somewhere between the two controller readings:
    # only the part of the difference the round trip cannot explain counts.
    skew = node - (before + after) / 2.0
    uncertainty = max(after - before, 0.0) / 2.0
    if abs(skew) - uncertainty > limit:
        problems.append('cluster_preflight_max_clock_skew_seconds: the clock is %.0f s %s the controller (limit %s)%s'
                        'enable time sync (chrony) on the node; tokens and certificates fail with a skewed clock'
                        % (abs(skew), 'ahead of' if skew > 0 else 'behind', limit, DASH))


def _port_problems(data, problems):
    if data.get('listening') is None or data.get('kubelet_conf_exists'):
        return
    settings = data.get('settings') or {}
    wanted = [(10250, 'kubelet')]
    if data.get('is_control_plane'):
        bind = to_port(settings.get('cluster_apiserver_bind_port', 6443)) or 6443
        wanted = [(bind, 'kube-apiserver (cluster_apiserver_bind_port)'), (2379, 'etcd'), (2380, 'etcd peers'),
                  (10257, 'kube-controller-manager'), (10259, 'kube-scheduler')] + wanted
    busy = listening_ports(data.get('listening'))
    for number, owner in wanted:
        if number in busy:
            problems.append('port %d (%s) is already in use on a host that is not in a cluster yet%sstop what '
                            'listens there (ss -ltnp)' % (number, owner, DASH))


# Names of the files kubeadm writes (cluster_kubeadm_paths, the playbooks' one home of their paths).
_CONTROL_PLANE_TRACES = ('ca_cert', 'apiserver_manifest', 'etcd_manifest', 'etcd_member')


def node_state(data):
    """How far kubeadm got on this node, from the files it writes (``kubeadm_files``: name -> exists).

    ``fresh``, ``joined``, ``partial-init-certificates`` (first control plane, stopped in the
    certificates phase), ``partial-init`` (first control plane, stopped later but before admin.conf),
    ``partial-control-plane-join``, ``partial-worker-join``, or None when the files were not probed.
    A first control plane with admin.conf is ``joined``: the role completes the later init phases.
    """
    files = data.get('kubeadm_files')
    if not files:
        return None
    found = [name for name in _CONTROL_PLANE_TRACES if files.get(name)]
    if data.get('is_first_control_plane'):
        if files.get('admin_conf'):
            return 'joined'
        if found == ['ca_cert']:
            # Certificates alone, no manifest and no etcd data: no cluster has existed here yet, and
            # kubeadm init keeps the certificates it finds on disk.
            return 'partial-init-certificates'
        return 'partial-init' if found else 'fresh'
    if data.get('is_control_plane'):
        if files.get('kubelet_conf'):
            complete = files.get('apiserver_manifest') and files.get('etcd_manifest')
            return 'joined' if complete else 'partial-control-plane-join'
        return 'partial-control-plane-join' if found else 'fresh'
    if files.get('kubelet_conf'):
        return 'joined'
    return 'partial-worker-join' if files.get('ca_cert') else 'fresh'


def _node_state_problems(data, problems, warnings):
    state = node_state(data)
    files = data.get('kubeadm_files') or {}
    paths = data.get('kubeadm_paths') or {}
    found = ', '.join(to_text(paths.get(name, name)) for name in ('admin_conf', 'kubelet_conf') + _CONTROL_PLANE_TRACES
                      if files.get(name))
    host = to_text(data.get('inventory_hostname') or 'this host')
    reset = 'kubeadm reset --force --cri-socket %s' % to_text(data.get('cri_socket') or '<the node\'s CRI socket>')
    first = to_text(data.get('first_control_plane') or '<first control plane>')
    if state == 'partial-init':
        problems.append('a kubeadm init stopped before it wrote %s (found: %s); it cannot be resumed from there%s'
                        'on %s run `%s` (or playbooks/reset.yml -e kubeadm_reset_confirm=<cluster endpoint host:port> '
                        '--limit %s), then site.yml again. If %s holds a cluster you still need, restore admin.conf '
                        'instead (kubeadm init phase kubeconfig admin)'
                        % (paths.get('admin_conf'), found, DASH, host, reset, host, paths.get('etcd_member')))
    elif state == 'partial-init-certificates':
        warnings.append('a kubeadm init stopped in its certificates phase on this node (found: %s, but no '
                        'kubeconfig, manifest or etcd data): kubeadm init runs again and keeps those certificates'
                        % found)
    elif state == 'partial-control-plane-join':
        problems.append('a kubeadm join as control plane stopped half-way (found: %s); its etcd member may already '
                        'count in the quorum, so it is not retried blindly%srun playbooks/remove_node.yml -e '
                        'kubeadm_remove_node=%s (it removes the member through another control plane, found by name '
                        'or by peer address, resets %s and deletes its Node; it says when -e '
                        'kubeadm_remove_force_even=true is needed), then site.yml again. By hand: on %s list the etcd '
                        'members (kubectl -n kube-system exec etcd-%s -- etcdctl --cacert '
                        '/etc/kubernetes/pki/etcd/ca.crt --cert /etc/kubernetes/pki/etcd/server.crt --key '
                        '/etc/kubernetes/pki/etcd/server.key member list), remove the member of %s (member remove '
                        '<ID>; a member that never started has no name, only its peer address) and its Node '
                        '(kubectl delete node %s), then on %s run `%s`'
                        % (found or 'none', DASH, host, host, first, first, host, host, host, reset))
    elif state == 'partial-worker-join':
        warnings.append('a kubeadm join stopped half-way on this worker (found: %s without %s): the join runs '
                        '`%s` first and joins again' % (found, paths.get('kubelet_conf'), reset))
    outside = [to_text(lb) for lb in data.get('lb_hosts_outside_run') or []]
    if state == 'fresh' and data.get('is_control_plane') and outside:
        problems.append('%s is a new control plane, but the load balancers %s are not in this run (--limit): their '
                        'haproxy would never send it traffic%srun site.yml with them: --limit %s,kube_lb (or without '
                        '--limit)' % (host, ', '.join(outside), DASH, host))


def _running_release(data, problems):
    """The kubelet release of a joined node as (major, minor, patch), or None after reporting why not."""
    running = to_text(data.get('kubelet_version') or '')
    match = re.search(r'v?(\d+\.\d+\.\d+)', running)
    if match is None:
        problems.append('this node has joined a cluster (/etc/kubernetes/kubelet.conf) but `kubelet --version` gave '
                        '%r%scheck the kubelet package on the node before running the playbook again' % (running, DASH))
        return None
    return parse_version(match.group(1))


def _release(version):
    return '.'.join(str(part) for part in version)


def upgrade_step_problem(running, wanted, what):
    """Why ``running`` -> ``wanted`` (release tuples) is not one kubeadm upgrade step, or None.

    kubeadm upgrades to a newer patch or to the next minor; it never downgrades and never skips a minor.
    """
    if wanted < running:
        return ('cluster_kubernetes_version: %s is older than the %s %s%skubeadm does not downgrade: set '
                'cluster_kubernetes_version to %s or newer' % (_release(wanted), what, _release(running), DASH,
                                                               _release(running)))
    if wanted[:2] > (running[0], running[1] + 1):
        return ('cluster_kubernetes_version: %s skips a minor release from the %s %s%skubeadm upgrades one minor '
                'at a time: upgrade to the latest %d.%d patch first, then to %s'
                % (_release(wanted), what, _release(running), DASH, running[0], running[1] + 1, _release(wanted)))
    return None


def _version_guard_problems(data, problems):
    """site.yml keeps a joined node's release; playbooks/upgrade.yml moves it by one kubeadm upgrade step."""
    settings = data.get('settings') or {}
    wanted = parse_version(to_text(settings.get('cluster_kubernetes_version', '')))
    upgrade = to_bool(settings.get('cluster_preflight_upgrade', False))
    if upgrade and data.get('kubeadm_files') and node_state(data) != 'joined':
        problems.append('playbooks/upgrade.yml upgrades nodes that have joined the cluster; this one is %s%s'
                        'finish it with site.yml at the running release first, or take it out of the inventory'
                        % (node_state(data), DASH))
        return
    if not data.get('kubelet_conf_exists') or wanted is None:
        return
    running = _running_release(data, problems)
    if running is None or running == wanted:
        return
    if upgrade:
        problem = upgrade_step_problem(running, wanted, 'kubelet on this node')
        if problem:
            problems.append(problem)
        return
    if wanted > running:
        fix = 'run playbooks/upgrade.yml to upgrade the cluster, or set cluster_kubernetes_version back to %s' % (
            _release(running))
    else:
        fix = 'set cluster_kubernetes_version to %s' % _release(running)
    problems.append('cluster_kubernetes_version: %s, but this node has joined a cluster and runs kubelet %s%s'
                    'site.yml does not upgrade a running cluster (new kubelets before the control plane break '
                    "Kubernetes' version-skew policy): %s" % (_release(wanted), _release(running), DASH, fix))


def _cluster_release_problems(data, problems):
    """In upgrade mode: the running control plane's release (ClusterConfiguration) must be one step behind."""
    settings = data.get('settings') or {}
    if not to_bool(settings.get('cluster_preflight_upgrade', False)):
        return
    live = data.get('live_cluster_configuration') or {}
    match = re.search(r'v?(\d+\.\d+\.\d+)', to_text(live.get('kubernetesVersion') or ''))
    wanted = parse_version(to_text(settings.get('cluster_kubernetes_version', '')))
    if match is None or wanted is None:
        return
    problem = upgrade_step_problem(parse_version(match.group(1)), wanted, 'control plane (kubeadm-config)')
    if problem:
        problems.append(problem)


# ClusterConfiguration fields kubeadm init fixed, and the setting each comes from.
_FIXED_AT_INIT = (
    (('networking', 'podSubnet'), 'cluster_pod_subnet'),
    (('networking', 'serviceSubnet'), 'cluster_service_subnet'),
    (('networking', 'dnsDomain'), 'cluster_dns_domain'),
    (('controlPlaneEndpoint',), 'cluster_control_plane_endpoint'),
)


def _in_place_problems(data, problems):
    """Settings a rerun cannot apply to a running cluster: refused, with what to do instead."""
    settings = data.get('settings') or {}
    wanted_socket = to_text(data.get('cri_socket') or '')
    running_socket = to_text(data.get('node_cri_socket') or '')
    if running_socket and wanted_socket and running_socket != wanted_socket:
        problems.append('cluster_container_runtime: this node has joined the cluster with the CRI socket %s, the '
                        'inventory asks for %s%sa joined node cannot change its runtime in place: drain it, run '
                        'playbooks/reset.yml -e kubeadm_reset_confirm=true --limit <node>, then site.yml again; or '
                        'set cluster_container_runtime back' % (running_socket, wanted_socket, DASH))
    live = data.get('live_cluster_configuration') or {}
    for path, key in _FIXED_AT_INIT:
        value = live
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None or not settings.get(key):
            continue
        if to_text(value) != to_text(settings.get(key)):
            problems.append('%s: %s, but the running cluster was created with %s %s%skubeadm cannot change it '
                            'in place (every node, certificate and the CNI depend on it): set %s back to %s, or '
                            'build a new cluster' % (key, settings.get(key), '.'.join(path), value, DASH, key, value))


def _addresses(facts):
    return set(to_text(a) for a in (facts.get('all_ipv4_addresses') or []) + (facts.get('all_ipv6_addresses') or []))


def _interface_network(facts, node_ip):
    """The IPv4 network of the interface that holds ``node_ip``, or None."""
    for name in facts.get('interfaces') or []:
        details = facts.get(name.replace('-', '_').replace('.', '_')) or facts.get(name) or {}
        entries = []
        if isinstance(details.get('ipv4'), dict):
            entries.append(details['ipv4'])
        entries.extend(details.get('ipv4_secondaries') or [])
        for entry in entries:
            if to_text(entry.get('address')) == node_ip and entry.get('netmask'):
                return name, ipaddress.ip_network('%s/%s' % (node_ip, entry['netmask']), strict=False)
    return None, None


def _network_node_problems(data, facts, problems):
    settings = data.get('settings') or {}
    node_ip = to_text(settings.get('cluster_node_ip') or '')
    if not node_ip:
        problems.append('cluster_node_ip: empty (no default IPv4 route in the facts)%sset cluster_node_ip for this '
                        'host in the inventory' % DASH)
        return
    if node_ip not in _addresses(facts):
        problems.append('cluster_node_ip: %s is not an address of this host (it has %s)%sset cluster_node_ip to '
                        'one of them' % (node_ip, ', '.join(sorted(_addresses(facts))) or 'none', DASH))
        return
    vip = to_ip(settings.get('cluster_control_plane_endpoint_address') or '')
    if not data.get('is_lb') or vip is None:
        return
    interface, network = _interface_network(facts, node_ip)
    if network is not None and (vip.version != network.version or vip not in network):
        problems.append('cluster_control_plane_endpoint_address: VIP %s is outside %s, the network of %s which holds '
                        'cluster_node_ip %s%skeepalived can only hold an address of that network; choose a free '
                        'address in it' % (vip, network, interface, node_ip, DASH))


def _swap_warnings(data, facts, warnings):
    settings = data.get('settings') or {}
    if int(facts.get('swaptotal_mb') or 0) > 0 and not to_bool(settings.get('cluster_preflight_swap_managed', True)):
        warnings.append('swap is on (%s MiB) and os_prep does not turn it off: kubelet refuses to start with swap '
                        'unless configured for it' % facts.get('swaptotal_mb'))


def node_problems(data):
    """Problems, warnings and kubeadm state of one node: ``{"problems": [...], "warnings": [...], "state": ...}``.

    Sections missing from ``data`` are skipped, so the Python probe can run
    before facts exist. Keys: ``python_probe`` + ``controller_ansible_version``;
    ``facts`` (ansible_facts); ``settings`` (cluster_* values of the host);
    ``is_control_plane``, ``is_lb``; ``cgroup`` ({v2_controllers: text or None,
    v1_proc_cgroups: text}); ``listening`` (/proc/net/tcp + tcp6 text);
    ``kubelet_conf_exists``, ``kubelet_version`` (``kubelet --version`` of a joined node);
    ``kubeadm_files`` (name -> exists, see ``node_state``) and ``kubeadm_paths`` (name -> path, named in
    messages) with ``is_first_control_plane``,
    ``first_control_plane``, ``inventory_hostname`` and ``cri_socket`` for the recovery steps;
    ``lb_hosts_outside_run`` (kube_lb hosts a --limit left out: a new control plane needs them);
    ``node_cri_socket`` (the socket a joined node's kubelet uses) and ``live_cluster_configuration`` (the
    running cluster's ClusterConfiguration, read on the first control plane) for what cannot change; ``clock``
    ({before, node, after} epoch seconds).
    """
    problems = []
    warnings = []
    problems.extend(_python_problems(data))
    facts = data.get('facts')
    if facts:
        settings = data.get('settings') or {}
        supported = settings.get('cluster_supported_os') or {}
        _os_problems(facts, supported, problems, warnings)
        _kernel_warnings(facts, warnings)
        _resource_problems(data, facts, problems)
        _swap_warnings(data, facts, warnings)
        _network_node_problems(data, facts, problems)
        version = parse_version(to_text(settings.get('cluster_kubernetes_version', '')))
        _cgroup_problems(data, version, problems, warnings)
    _clock_problems(data, problems)
    _port_problems(data, problems)
    _version_guard_problems(data, problems)
    _cluster_release_problems(data, problems)
    _in_place_problems(data, problems)
    _node_state_problems(data, problems, warnings)
    return {'problems': problems, 'warnings': warnings, 'state': node_state(data)}
