# -*- coding: utf-8 -*-
# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks on a duoshou.kubeadm inventory (controller side) and on one node (preflight).

Pure functions on plain dicts and strings, so that they can be unit tested
without Ansible. Every problem is one string that names the variable (and the
host) and says how to fix it. The filters ``cluster_problems`` and
``cluster_preflight_problems`` expose them to the role ``duoshou.kubeadm.cluster``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

# Inventory group names are fixed (docs/development.md).
CONTROL_PLANE_GROUP = 'kube_control_plane'
WORKER_GROUP = 'kube_workers'
LB_GROUP = 'kube_lb'
SUPPORTED_RUNTIMES = ('docker', 'containerd')
DEFAULT_SUPPORTED_MINORS = tuple('1.%d' % minor for minor in range(28, 36))

# Settings every node must agree on: a per-group override of one of them
# builds a cluster whose nodes disagree (version skew, other networks).
CLUSTER_WIDE_KEYS = (
    'cluster_kubernetes_version',
    'cluster_pod_subnet',
    'cluster_service_subnet',
    'cluster_dns_domain',
    'cluster_control_plane_endpoint_address',
    'cluster_control_plane_endpoint_port',
    'cluster_apiserver_bind_port',
    'cluster_node_subnet',
    'calico_ipv4pool_cidr',
    'calico_ipv4pool_block_size',
)
# Settings a host may legitimately override; each host's value is checked.
PER_HOST_KEYS = (
    'cluster_container_runtime',
    'cluster_image_repository',
    'cluster_registry_mirrors',
    'cluster_insecure_registries',
)

# Docker's default bridge: a pod or service network over it makes traffic to
# those addresses go to docker0 instead of the other nodes.
DOCKER_BRIDGE = ipaddress.ip_network(u'172.17.0.0/16')

_DNS_LABEL_RE = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')
_DNS_LABEL_ANY_CASE_RE = re.compile(r'^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$')
_VERSION_RE = re.compile(r'^(\d+)\.(\d+)\.(\d+)$')
_REGISTRY_RE = re.compile(r'^[A-Za-z0-9.-]+(:[0-9]+)?$')
_BOOL_STRINGS = ('true', 'false', 'yes', 'no', 'on', 'off', '1', '0')
DASH = u' \u2014 '


def _text(value):
    return u'%s' % (value,)


def _type_name(value):
    """YAML-level type name (Ansible passes its own list and dict subclasses)."""
    for kind, name in ((bool, 'boolean'), (str, 'string'), (int, 'integer'), (float, 'number'), (dict, 'mapping'),
                       (list, 'list'), (type(None), 'null')):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _is_str(value):
    return isinstance(value, str)


def _is_bool(value):
    return isinstance(value, bool) or (_is_str(value) and value.lower() in _BOOL_STRINGS)


def _to_bool(value):
    if isinstance(value, bool):
        return value
    return _is_str(value) and value.lower() in ('true', 'yes', 'on', '1')


def _port(value):
    """Return the port as int, or None when it is not a valid TCP port."""
    if isinstance(value, bool):
        return None
    if _is_str(value) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 1 <= value <= 65535:
        return value
    return None


def _ip(value):
    try:
        return ipaddress.ip_address(_text(value).strip())
    except ValueError:
        return None


def _parse_cidr(variable, value, problems, example):
    """Parse a CIDR; on failure append a problem and return None."""
    if not _is_str(value) or not value.strip():
        problems.append(u'%s: %r is not a CIDR%swrite it like %s' % (variable, value, DASH, example))
        return None
    value = value.strip()
    if ',' in value:
        problems.append(u'%s: %r lists several networks%sdual-stack is not supported; keep one CIDR like %s'
                        % (variable, value, DASH, example))
        return None
    if '/' not in value:
        problems.append(u'%s: %r has no prefix length%swrite it like %s' % (variable, value, DASH, example))
        return None
    try:
        return ipaddress.ip_network(value)
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(value, strict=False)
    except ValueError:
        problems.append(u'%s: %r is not a CIDR%swrite it like %s' % (variable, value, DASH, example))
        return None
    problems.append(u'%s: %r has host bits set%swrite the network address: %s' % (variable, value, DASH, loose))
    return None


def is_dns_subdomain(name, allow_upper=False):
    """RFC 1123 subdomain: dot-separated labels of letters, digits and '-', at most 253 characters."""
    if not _is_str(name) or not name or len(name) > 253:
        return False
    label_re = _DNS_LABEL_ANY_CASE_RE if allow_upper else _DNS_LABEL_RE
    return all(len(label) <= 63 and label_re.match(label) for label in name.split('.'))


def node_name_problem(name):
    """Why ``name`` cannot be a Kubernetes node name and hostname, or None."""
    if _ip(name) is not None:
        return (u"inventory_hostname '%s' is an IP address%sthe inventory name becomes the node name and hostname; "
                u"name the host (k8s-worker1) and put the address in ansible_host and cluster_node_ip" % (name, DASH))
    if '_' in name:
        reason = u"contains '_'"
    elif name != name.lower():
        reason = u'contains upper case letters'
    elif len(name) > 63 and '.' not in name:
        reason = u'is longer than 63 characters'
    elif not is_dns_subdomain(name):
        reason = u'is not a valid RFC 1123 name'
    else:
        return None
    return (u"inventory_hostname '%s' %s%snode names must be lowercase RFC 1123 (letters, digits, '-', '.'); "
            u'rename the host in the inventory' % (name, reason, DASH))


def parse_version(value):
    """Return (major, minor, patch) for '1.34.4', else None."""
    match = _VERSION_RE.match(value) if _is_str(value) else None
    if not match:
        return None
    return tuple(int(part) for part in match.groups())


def version_problems(value, supported_minors):
    variable = 'cluster_kubernetes_version'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [u"%s: %r is a number (YAML reads 1.30 as a float)%swrite the full release as a quoted string, "
                u"e.g. '1.34.4'" % (variable, value, DASH)]
    if not _is_str(value):
        return [u"%s: %r is not a version%swrite it like '1.34.4'" % (variable, value, DASH)]
    if value.startswith(('v', 'V')) and parse_version(value[1:]):
        return [u"%s: '%s' has a leading 'v'%swrite '%s'; package versions and the pkgs.k8s.io repository path "
                u'are built from it' % (variable, value, DASH, value[1:])]
    parsed = parse_version(value)
    if parsed is None:
        return [u"%s: '%s' is not a release MAJOR.MINOR.PATCH%swrite it like '1.34.4' (no 'v', no pre-release)"
                % (variable, value, DASH)]
    minor = '%d.%d' % parsed[:2]
    if minor not in supported_minors:
        return [u'%s: %s is not supported%sthis collection supports Kubernetes %s'
                % (variable, value, DASH, ', '.join(supported_minors))]
    return []


def _image_repository_problems(where, value):
    variable = where + 'cluster_image_repository'
    if not _is_str(value) or not value.strip():
        return [u'%s: empty%sset a registry prefix like registry.k8s.io or registry.aliyuncs.com/google_containers'
                % (variable, DASH)]
    if '://' in value:
        return [u"%s: '%s' has a URL scheme%swrite it without it: '%s'"
                % (variable, value, DASH, value.split('://', 1)[1].rstrip('/'))]
    if value.endswith('/') or any(char.isspace() for char in value):
        return [u"%s: '%s' has a trailing '/' or spaces%swrite it like registry.k8s.io" % (variable, value, DASH)]
    return []


def _registry_mirror_problems(where, value):
    variable = where + 'cluster_registry_mirrors'
    example = u'{"docker.io": ["https://mirror.example"]}'
    if not isinstance(value, dict):
        return [u'%s: must be a mapping of registry host to a list of mirror URLs, got %s%swrite it like %s'
                % (variable, _type_name(value), DASH, example)]
    problems = []
    for registry, mirrors in value.items():
        if not _is_str(registry) or not registry or '/' in registry:
            problems.append(u"%s: key %r is not a registry host%suse the host only (docker.io, registry.k8s.io), "
                            u'e.g. %s' % (variable, registry, DASH, example))
            continue
        if not isinstance(mirrors, list):
            problems.append(u"%s['%s']: must be a list of URLs, got %s%swrite it like %s"
                            % (variable, registry, _type_name(mirrors), DASH, example))
            continue
        for mirror in mirrors:
            if not _is_str(mirror) or not mirror.startswith(('http://', 'https://')):
                problems.append(u"%s['%s']: %r is not an http(s) URL%swrite it like https://mirror.example"
                                % (variable, registry, mirror, DASH))
    return problems


def _insecure_registry_problems(where, value):
    variable = where + 'cluster_insecure_registries'
    if not isinstance(value, list):
        return [u'%s: must be a list of host[:port], got %s%swrite it like ["192.168.1.5:5000"]'
                % (variable, _type_name(value), DASH)]
    return [u"%s: %r is not host[:port]%swrite it without scheme or path, like 192.168.1.5:5000"
            % (variable, entry, DASH)
            for entry in value if not _is_str(entry) or not _REGISTRY_RE.match(entry)]


def _runtime_problems(where, value):
    if value in SUPPORTED_RUNTIMES:
        return []
    return [u'%scluster_container_runtime: %r is not a supported runtime%suse one of %s'
            % (where, value, DASH, ', '.join(SUPPORTED_RUNTIMES))]


class _Inventory(object):
    """Group membership and per-host values of an inventory."""

    def __init__(self, data, problems):
        self.settings = dict(data.get('settings') or {})
        self.groups = data.get('groups') or {}
        self.hosts = data.get('hosts') or {}
        self.require_node_ip = _to_bool(data.get('require_node_ip', True))
        self.problems = problems
        self.cp_group = CONTROL_PLANE_GROUP
        self.worker_group = WORKER_GROUP
        self.lb_group = LB_GROUP
        self.control_planes = list(self.groups.get(self.cp_group) or [])
        self.workers = list(self.groups.get(self.worker_group) or [])
        self.lbs = list(self.groups.get(self.lb_group) or [])
        self.nodes = _unique(self.control_planes + self.workers)
        self.members = _unique(self.nodes + self.lbs)

    def where(self, host):
        for group in (self.cp_group, self.worker_group, self.lb_group):
            if host in (self.groups.get(group) or []):
                return u'%s host %s: ' % (group, host)
        return u'host %s: ' % host

    def overrides(self, host, key):
        """True when the host has its own value (group_vars/all values equal the shared setting)."""
        values = self.hosts.get(host) or {}
        return key in values and values[key] != self.settings.get(key)

    def host_value(self, host, key):
        values = self.hosts.get(host) or {}
        if key in values:
            return values[key]
        return self.settings.get(key)


def _unique(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def inventory_problems(data):
    """Every problem of an inventory, as a list of strings (empty when it is usable).

    ``data`` is ``{"settings": {cluster_* values resolved on the controller},
    "groups": {group name: [host, ...], "all": [...]}, "hosts": {host:
    {"cluster_node_ip": ..., "facts_gathered": bool, "default_ipv4": ...,
    any CLUSTER_WIDE_KEYS / PER_HOST_KEYS the inventory sets for that host}},
    "require_node_ip": bool (default true: a host without cluster_node_ip and
    without facts is a problem; false: its address checks are skipped)}``.
    """
    problems = []
    inv = _Inventory(data, problems)
    _group_problems(inv)
    settings = _cluster_wide_settings(inv)
    problems.extend(_per_host_setting_problems(inv))
    supported = inv.settings.get('cluster_supported_kubernetes_minors') or DEFAULT_SUPPORTED_MINORS
    problems.extend(version_problems(settings.get('cluster_kubernetes_version'), list(supported)))
    _scalar_problems(inv, settings)
    networks = _network_problems(inv, settings)
    node_ips = _node_ip_problems(inv, networks)
    _endpoint_problems(inv, settings, networks, node_ips)
    _vrrp_password_problems(inv)
    return problems


def _vrrp_password_problems(inv):
    # The caller passes the password's length only, never the secret itself.
    length = inv.settings.get('haproxy_keepalived_auth_pass_length')
    if length is None or len(inv.control_planes) < 2 or not inv.groups.get('kube_lb'):
        return
    if not 1 <= int(length) <= 8:
        inv.problems.append(u'haproxy_keepalived_auth_pass: keepalived needs a VRRP password of 1 to 8 characters '
                            u'on the kube_lb hosts (got %d)%sset it in group_vars, kept in Ansible Vault'
                            % (int(length), DASH))


_PER_HOST_CHECKS = (
    ('cluster_container_runtime', _runtime_problems),
    ('cluster_image_repository', _image_repository_problems),
    ('cluster_registry_mirrors', _registry_mirror_problems),
    ('cluster_insecure_registries', _insecure_registry_problems),
)


def _per_host_setting_problems(inv):
    """Check each host's value; a bad shared value is reported once, without a host."""
    problems = []
    for key, check in _PER_HOST_CHECKS:
        for host in inv.members:
            if inv.overrides(host, key):
                problems.extend(check(inv.where(host), inv.host_value(host, key)))
        if not inv.members or not all(inv.overrides(host, key) for host in inv.members):
            problems.extend(check('', inv.settings.get(key)))
    return _unique(problems)


def _group_problems(inv):
    problems = inv.problems
    cluster_groups = (inv.cp_group, inv.worker_group, inv.lb_group)
    if not inv.control_planes:
        found = sorted(name for name in inv.groups if name not in ('all', 'ungrouped') + cluster_groups)
        problems.append(u'%s: inventory group is empty or missing (other groups: %s)%sput the control plane hosts '
                        u'in the group %s (the group names are fixed)'
                        % (inv.cp_group, ', '.join(found) or 'none', DASH, inv.cp_group))
    elif len(inv.control_planes) % 2 == 0:
        problems.append(u'%s: %d control planes (%s)%setcd needs an odd number for quorum (2 survive no failure '
                        u'and are worse than 1); use 1 or 3'
                        % (inv.cp_group, len(inv.control_planes), ', '.join(inv.control_planes), DASH))
    for host in inv.control_planes:
        if host in inv.workers:
            problems.append(u'%s host %s: also in %s%sa host is either a control plane or a worker; remove it from '
                            u'%s (control planes keep their NoSchedule taint)'
                            % (inv.cp_group, host, inv.worker_group, DASH, inv.worker_group))
    known = set(inv.groups.get('all') or []) | set(inv.hosts)
    for host in inv.members:
        if host not in known:
            problems.append(u'%shost is not defined in the inventory%sdefine it (with ansible_host) or remove it '
                            u'from the group' % (inv.where(host), DASH))
    for host in inv.groups.get('all') or []:
        # An explicit localhost is the controller itself (delegation), not a node.
        if host not in inv.members and host not in ('localhost', '127.0.0.1', '::1'):
            problems.append(u'host %s: in none of the groups %s%sput it in one of them or remove it from the '
                            u'inventory' % (host, ', '.join(cluster_groups), DASH))
    for host in inv.members:
        reason = node_name_problem(host)
        if reason:
            problems.append(inv.where(host) + reason)


def _cluster_wide_settings(inv):
    """The value every node uses, and a problem for each setting the nodes disagree on."""
    settings = dict(inv.settings)
    anchor = inv.control_planes[0] if inv.control_planes else (inv.members[0] if inv.members else None)
    for key in CLUSTER_WIDE_KEYS:
        values = [(host, inv.host_value(host, key)) for host in inv.members]
        distinct = _unique([value for _host, value in values])
        if len(distinct) > 1:
            detail = '; '.join(u'%r on %s' % (value, ', '.join(h for h, v in values if v == value))
                               for value in distinct)
            inv.problems.append(u'%s: differs between hosts (%s)%sset it once for all hosts in group_vars/all'
                                % (key, detail, DASH))
        if anchor is not None:
            settings[key] = inv.host_value(anchor, key)
    return settings


def _scalar_problems(inv, settings):
    problems = inv.problems
    for key in ('cluster_control_plane_endpoint_port', 'cluster_apiserver_bind_port'):
        if _port(settings.get(key)) is None:
            problems.append(u'%s: %r is not a TCP port%suse a number from 1 to 65535' % (key, settings.get(key), DASH))
    domain = settings.get('cluster_dns_domain')
    if not is_dns_subdomain(domain):
        problems.append(u'cluster_dns_domain: %r is not a lowercase DNS name%swrite it like cluster.local '
                        u'(no trailing dot)' % (domain, DASH))
    if not _is_bool(settings.get('cluster_fail_cgroup_v1', True)):
        problems.append(u'cluster_fail_cgroup_v1: %r is not a boolean%swrite true or false'
                        % (settings.get('cluster_fail_cgroup_v1'), DASH))


def _network_problems(inv, settings):
    problems = inv.problems
    pod = _parse_cidr('cluster_pod_subnet', settings.get('cluster_pod_subnet'), problems, '10.244.0.0/16')
    svc = _parse_cidr('cluster_service_subnet', settings.get('cluster_service_subnet'), problems, '10.96.0.0/12')
    node_subnet = None
    if settings.get('cluster_node_subnet') not in (None, ''):
        node_subnet = _parse_cidr('cluster_node_subnet', settings.get('cluster_node_subnet'), problems,
                                  '192.168.1.0/24')
    if pod and svc:
        if pod.version != svc.version:
            problems.append(u'cluster_pod_subnet: %s and cluster_service_subnet %s are of different IP families%s'
                            u'dual-stack is not supported; use one family' % (pod, svc, DASH))
        elif pod.overlaps(svc):
            problems.append(u'cluster_pod_subnet: %s overlaps cluster_service_subnet %s%schoose networks that do not '
                            u'overlap (defaults 10.244.0.0/16 and 10.96.0.0/12)' % (pod, svc, DASH))
    for variable, net in (('cluster_pod_subnet', pod), ('cluster_service_subnet', svc)):
        if net and node_subnet and net.version == node_subnet.version and net.overlaps(node_subnet):
            problems.append(u'%s: %s overlaps cluster_node_subnet %s%spods and services need addresses that are not '
                            u'on the node network; choose another range' % (variable, net, node_subnet, DASH))
        if net and _uses_docker(inv) and net.version == 4 and net.overlaps(DOCKER_BRIDGE):
            problems.append(u"%s: %s overlaps Docker's bridge %s%swith cluster_container_runtime docker choose "
                            u'another range' % (variable, net, DOCKER_BRIDGE, DASH))
    if pod:
        _pod_size_problems(inv, pod)
    if svc:
        low, high = (12, 28) if svc.version == 4 else (108, 124)
        if svc.prefixlen < low:
            problems.append(u'cluster_service_subnet: %s is too large%skube-apiserver accepts at most /%d'
                            % (svc, DASH, low))
        elif svc.prefixlen > high:
            problems.append(u'cluster_service_subnet: %s is too small%sthe cluster DNS takes its 10th address; '
                            u'use at least /%d' % (svc, DASH, high))
    calico = settings.get('calico_ipv4pool_cidr')
    pool = None
    if calico not in (None, ''):
        pool = _parse_cidr('calico_ipv4pool_cidr', calico, problems, _text(pod or '10.244.0.0/16'))
        if pool and pod and (pool.version != pod.version or not pool.subnet_of(pod)):
            problems.append(u'calico_ipv4pool_cidr: %s is not inside cluster_pod_subnet %s%sleave it unset (it '
                            u'follows cluster_pod_subnet) or set it to %s or a part of it' % (pool, pod, DASH, pod))
    _calico_block_problems(problems, settings, pool if calico not in (None, '') else pod)
    return {'pod': pod, 'service': svc, 'node_subnet': node_subnet}


def _calico_block_problems(problems, settings, pool):
    value = settings.get('calico_ipv4pool_block_size')
    if value in (None, '', 0, '0'):
        return
    size = _port(value)
    if size is None or not 20 <= size <= 32:
        problems.append(u"calico_ipv4pool_block_size: %r is not a block size%suse 20 to 32, or 0 for Calico's "
                        u'default 26' % (value, DASH))
    elif pool is not None and pool.version == 4 and size < pool.prefixlen:
        problems.append(u'calico_ipv4pool_block_size: /%d blocks do not fit in the pool %s%suse /%d or more'
                        % (size, pool, DASH, pool.prefixlen))


def _uses_docker(inv):
    return any(inv.host_value(host, 'cluster_container_runtime') == 'docker' for host in inv.members)


def _pod_size_problems(inv, pod):
    # kube-controller-manager gives every node a /24 (IPv4) or /64 (IPv6) of the pod network.
    node_mask = 24 if pod.version == 4 else 64
    if pod.prefixlen > node_mask:
        inv.problems.append(u'cluster_pod_subnet: %s is smaller than the /%d every node gets%suse /%d or larger '
                            u'(default 10.244.0.0/16)' % (pod, node_mask, DASH, node_mask))
        return
    if node_mask - pod.prefixlen > 16:
        inv.problems.append(u'cluster_pod_subnet: %s is too large for /%d node blocks%suse /%d or smaller'
                            % (pod, node_mask, DASH, node_mask - 16))
        return
    capacity = 2 ** (node_mask - pod.prefixlen)
    if len(inv.nodes) > capacity:
        inv.problems.append(u'cluster_pod_subnet: %s holds %d node blocks of /%d but the inventory has %d nodes%s'
                            u'use a larger network' % (pod, capacity, node_mask, len(inv.nodes), DASH))


def _host_node_ip(inv, host):
    """(address string or None, problem or None) for one host."""
    values = inv.hosts.get(host) or {}
    where = inv.where(host)
    value = values.get('cluster_node_ip')
    if value in (None, ''):
        if values.get('facts_gathered'):
            value = values.get('default_ipv4')
            if value in (None, ''):
                return None, (u'%scluster_node_ip: not set and the host has no default IPv4 route in its facts%s'
                              u'set cluster_node_ip for this host in the inventory' % (where, DASH))
        elif not inv.require_node_ip:
            return None, None
        else:
            return None, (u'%scluster_node_ip: not set%ssite.yml would take the default-route address from facts, '
                          u'but validate.yml gathers no facts and cannot check it; set cluster_node_ip for this host '
                          u'in the inventory (host_vars/%s.yml or "%s cluster_node_ip=192.0.2.10")'
                          % (where, DASH, host, host))
    address = _ip(value) if _is_str(value) else None
    if address is None:
        hint = u'; drop the prefix length' if _is_str(value) and '/' in value else u''
        return None, (u'%scluster_node_ip: %r is not an IP address%swrite one address like 192.168.1.11%s'
                      % (where, value, DASH, hint))
    if address.is_loopback or address.is_unspecified or address.is_multicast or address.is_link_local:
        return None, (u'%scluster_node_ip: %s is a loopback, unspecified, multicast or link-local address%s'
                      u'use the address on the network the nodes share' % (where, address, DASH))
    return address, None


def _node_ip_problems(inv, networks):
    problems = inv.problems
    node_ips = {}
    known = set(inv.groups.get('all') or []) | set(inv.hosts)
    for host in inv.members:
        if host not in known:
            continue
        address, problem = _host_node_ip(inv, host)
        if problem:
            problems.append(problem)
        if address is not None:
            node_ips[host] = address
    by_address = {}
    for host, address in node_ips.items():
        by_address.setdefault(address, []).append(host)
    for address, hosts in sorted(by_address.items(), key=lambda item: _text(item[0])):
        if len(hosts) > 1:
            problems.append(u'cluster_node_ip: %s is used by several hosts (%s)%severy host needs its own address'
                            % (address, ', '.join(hosts), DASH))
    for host, address in node_ips.items():
        where = inv.where(host)
        for variable, net in (('cluster_pod_subnet', networks['pod']),
                              ('cluster_service_subnet', networks['service'])):
            if net and address.version == net.version and address in net:
                problems.append(u'%scluster_node_ip: %s is inside %s %s%schoose a %s that does not contain node '
                                u'addresses' % (where, address, variable, net, DASH, variable))
            elif net and address.version != net.version and host in inv.nodes:
                problems.append(u'%scluster_node_ip: %s is not of the IP family of %s %s%sdual-stack is not '
                                u'supported; use one family' % (where, address, variable, net, DASH))
        subnet = networks['node_subnet']
        if subnet and (address.version != subnet.version or address not in subnet):
            problems.append(u'%scluster_node_ip: %s is outside cluster_node_subnet %s%sfix the address or the subnet'
                            % (where, address, subnet, DASH))
    return node_ips


def _endpoint_problems(inv, settings, networks, node_ips):
    problems = inv.problems
    is_ha = len(inv.control_planes) > 1
    endpoint = settings.get('cluster_control_plane_endpoint_address')
    if endpoint is None:
        endpoint = ''
    if not _is_str(endpoint):
        problems.append(u'cluster_control_plane_endpoint_address: %r is not an address%swrite the VIP like '
                        u'192.168.0.100' % (endpoint, DASH))
        return
    endpoint = endpoint.strip()
    endpoint_port = _port(settings.get('cluster_control_plane_endpoint_port'))
    bind_port = _port(settings.get('cluster_apiserver_bind_port'))
    if is_ha and not endpoint:
        problems.append(u'cluster_control_plane_endpoint_address: empty with %d control planes%sset it to the VIP '
                        u'that keepalived holds (and cluster_control_plane_endpoint_port, e.g. 16443)'
                        % (len(inv.control_planes), DASH))
    if is_ha and not inv.lbs:
        problems.append(u'%s: group is empty with %d control planes%sput the hosts that run haproxy and keepalived '
                        u'in %s (e.g. the first two control planes)'
                        % (inv.lb_group, len(inv.control_planes), DASH, inv.lb_group))
    if inv.lbs and endpoint_port is not None and endpoint_port == bind_port:
        for host in inv.lbs:
            if host in inv.control_planes:
                problems.append(u'cluster_control_plane_endpoint_port: %d equals cluster_apiserver_bind_port on %s, '
                                u'which runs both haproxy and kube-apiserver%suse another endpoint port, e.g. 16443'
                                % (endpoint_port, host, DASH))
                break
    if not endpoint:
        return
    vip = _ip(endpoint)
    if vip is None:
        _endpoint_name_problems(inv, endpoint)
        return
    if vip.is_loopback or vip.is_unspecified or vip.is_multicast:
        problems.append(u'cluster_control_plane_endpoint_address: %s cannot be reached from other nodes%s'
                        u'use the VIP on the node network' % (vip, DASH))
        return
    owners = [host for host, address in node_ips.items() if address == vip]
    if inv.lbs and owners:
        problems.append(u'cluster_control_plane_endpoint_address: %s is the cluster_node_ip of %s%sthe VIP must be '
                        u'a free address that keepalived moves between the %s hosts'
                        % (vip, ', '.join(owners), DASH, inv.lb_group))
    if not inv.lbs and not is_ha and inv.control_planes:
        first = inv.control_planes[0]
        if first in node_ips and node_ips[first] != vip:
            problems.append(u'cluster_control_plane_endpoint_address: %s is not the cluster_node_ip of %s and %s is '
                            u'empty, so no host holds it%sleave it empty, set it to %s, or add %s hosts'
                            % (vip, first, inv.lb_group, DASH, node_ips[first], inv.lb_group))
    for variable, net in (('cluster_pod_subnet', networks['pod']), ('cluster_service_subnet', networks['service'])):
        if net and vip.version == net.version and vip in net:
            problems.append(u'cluster_control_plane_endpoint_address: %s is inside %s %s%suse an address on the '
                            u'node network' % (vip, variable, net, DASH))
    subnet = networks['node_subnet']
    if subnet and (vip.version != subnet.version or vip not in subnet):
        problems.append(u'cluster_control_plane_endpoint_address: %s is outside cluster_node_subnet %s%skeepalived '
                        u'can only hold an address of the nodes\' subnet' % (vip, subnet, DASH))
    if not inv.lbs and not is_ha and endpoint_port is not None and endpoint_port != bind_port:
        problems.append(u'cluster_control_plane_endpoint_port: %d differs from cluster_apiserver_bind_port %s but no '
                        u'%s host forwards it%suse the same port or add %s hosts'
                        % (endpoint_port, bind_port, inv.lb_group, DASH, inv.lb_group))


def _endpoint_name_problems(inv, endpoint):
    problems = inv.problems
    if '://' in endpoint or '/' in endpoint:
        problems.append(u"cluster_control_plane_endpoint_address: '%s' is a URL%swrite the address only, like "
                        u'192.168.0.100' % (endpoint, DASH))
    elif ':' in endpoint:
        problems.append(u"cluster_control_plane_endpoint_address: '%s' contains a port%swrite the address only and "
                        u'put the port in cluster_control_plane_endpoint_port' % (endpoint, DASH))
    elif not is_dns_subdomain(endpoint, allow_upper=True):
        problems.append(u"cluster_control_plane_endpoint_address: '%s' is neither an IP address nor a DNS name%s"
                        u'write the VIP like 192.168.0.100' % (endpoint, DASH))
    elif inv.lbs:
        problems.append(u"cluster_control_plane_endpoint_address: '%s' is a name, but keepalived on %s needs an IP "
                        u'address%sset the VIP address' % (endpoint, inv.lb_group, DASH))


# ---------------------------------------------------------------------------
# Node preflight
# ---------------------------------------------------------------------------

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
    match = re.match(r'^(\d+)\.(\d+)', _text(data.get('controller_ansible_version', '')))
    controller = (int(match.group(1)), int(match.group(2))) if match else (2, 19)
    found = []
    for line in _text(probe).splitlines():
        parts = line.split()
        if len(parts) == 2 and re.match(r'^\d+\.\d+$', parts[1]):
            found.append((tuple(int(x) for x in parts[1].split('.')), parts[0]))
    usable = [item for item in found if _python_ok(item[0], controller)]
    if usable:
        return []
    listing = ', '.join('%s %d.%d' % (path, ver[0], ver[1]) for ver, path in found) or 'none'
    return [u'ansible_python_interpreter: no Python this ansible-core %d.%d can use (found: %s)%s'
            u'ansible-core 2.17+ runs modules only with Python 3.7+ on the node; on CentOS 7 install a newer '
            u'Python and set ansible_python_interpreter, or run this collection from ansible-core 2.16'
            % (controller[0], controller[1], listing, DASH)]


def _python_ok(version, controller):
    if controller[:2] >= (2, 17):
        return version >= (3, 7)
    return version == (2, 7) or version >= (3, 6)


def _os_problems(facts, supported, problems, warnings):
    distribution = _text(facts.get('distribution', ''))
    major = _text(facts.get('distribution_major_version', ''))
    version = _text(facts.get('distribution_version', ''))
    release = _text(facts.get('distribution_release', ''))
    versions = [_text(v) for v in (supported.get(distribution) or [])]
    if distribution == 'CentOS' and release.lower() == 'stream':
        versions = []
    if major not in versions and version not in versions:
        listing = '; '.join('%s %s' % (name, ', '.join(_text(v) for v in vers)) for name, vers in
                            sorted(supported.items()))
        problems.append(u'%s %s is not a supported operating system%ssupported: %s'
                        % (distribution or 'unknown', version or major, DASH, listing))
    elif distribution == 'CentOS' and major == '7':
        warnings.append(u'CentOS 7 is past end of life: kernel 3.10, cgroup v1 and Python 3.6 only; it needs '
                        u'ansible-core 2.16 on the controller and cluster_fail_cgroup_v1: false for Kubernetes '
                        u'1.35+; plan a move to Rocky/Alma 9')


def _kernel_warnings(facts, warnings):
    match = re.match(r'^(\d+)\.(\d+)', _text(facts.get('kernel', '')))
    if match and (int(match.group(1)), int(match.group(2))) < (4, 19):
        warnings.append(u'kernel %s is older than 4.19, the oldest kernel recent Kubernetes releases test; '
                        u'kubeadm SystemVerification may warn or fail' % facts.get('kernel'))


def _cgroup_problems(data, version, problems, warnings):
    cgroup = data.get('cgroup')
    if cgroup is None:
        return
    settings = data.get('settings') or {}
    controllers = cgroup.get('v2_controllers')
    if controllers is not None:
        if 'pids' not in controllers.split():
            problems.append(u'cgroup v2 without the pids controller (missing from /sys/fs/cgroup/cgroup.controllers)%s'
                            u'kubeadm fails with "missing required cgroups: pids"; use a kernel with '
                            u'CONFIG_CGROUP_PIDS' % DASH)
        return
    if not cgroup_v1_pids_enabled(cgroup.get('v1_proc_cgroups')):
        problems.append(u'cgroup v1 without the pids controller (not enabled in /proc/cgroups)%skubeadm fails with '
                        u'"missing required cgroups: pids"; upgrade the kernel (>= 4.3) or enable it' % DASH)
    if version and version[:2] >= (1, 35) and _to_bool(settings.get('cluster_fail_cgroup_v1', True)):
        problems.append(u'cluster_fail_cgroup_v1: the host uses cgroup v1 and kubelet %d.%d refuses it%sboot with '
                        u'systemd.unified_cgroup_hierarchy=1 (cgroup v2), or set cluster_fail_cgroup_v1: false'
                        % (version[0], version[1], DASH))
    elif version and version[:2] >= (1, 35):
        warnings.append(u'cgroup v1 allowed by cluster_fail_cgroup_v1: false; Kubernetes keeps it in maintenance '
                        u'mode only; plan a move to cgroup v2')
    else:
        warnings.append(u'cgroup v1: Kubernetes keeps it in maintenance mode and 1.35 refuses it by default; '
                        u'plan a move to cgroup v2')


def _resource_problems(data, facts, problems):
    settings = data.get('settings') or {}
    role = 'control_plane' if data.get('is_control_plane') else 'worker'
    min_cpus = int(settings.get('cluster_preflight_min_cpus_' + role, 1))
    min_mem = int(settings.get('cluster_preflight_min_memory_mb_' + role, 0))
    cpus = facts.get('processor_vcpus') or facts.get('processor_count') or 0
    memory = facts.get('memtotal_mb') or 0
    if int(cpus) < min_cpus:
        problems.append(u'cluster_preflight_min_cpus_%s: %s CPUs, a %s needs at least %d%sadd CPUs'
                        % (role, cpus, role.replace('_', ' '), min_cpus, DASH))
    if int(memory) < min_mem:
        problems.append(u'cluster_preflight_min_memory_mb_%s: %s MiB of memory, a %s needs at least %d%sadd memory'
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
        problems.append(u'cluster_preflight_max_clock_skew_seconds: the clock is %.0f s %s the controller (limit %s)%s'
                        u'enable time sync (chrony) on the node; tokens and certificates fail with a skewed clock'
                        % (abs(skew), 'ahead of' if skew > 0 else 'behind', limit, DASH))


def _port_problems(data, problems):
    if data.get('listening') is None or data.get('kubelet_conf_exists'):
        return
    settings = data.get('settings') or {}
    wanted = [(10250, 'kubelet')]
    if data.get('is_control_plane'):
        bind = _port(settings.get('cluster_apiserver_bind_port', 6443)) or 6443
        wanted = [(bind, 'kube-apiserver (cluster_apiserver_bind_port)'), (2379, 'etcd'), (2380, 'etcd peers'),
                  (10257, 'kube-controller-manager'), (10259, 'kube-scheduler')] + wanted
    busy = listening_ports(data.get('listening'))
    for port, owner in wanted:
        if port in busy:
            problems.append(u'port %d (%s) is already in use on a host that is not in a cluster yet%sstop what '
                            u'listens there (ss -ltnp)' % (port, owner, DASH))


def _addresses(facts):
    return set(_text(a) for a in (facts.get('all_ipv4_addresses') or []) + (facts.get('all_ipv6_addresses') or []))


def _interface_network(facts, node_ip):
    """The IPv4 network of the interface that holds ``node_ip``, or None."""
    for name in facts.get('interfaces') or []:
        details = facts.get(name.replace('-', '_').replace('.', '_')) or facts.get(name) or {}
        entries = []
        if isinstance(details.get('ipv4'), dict):
            entries.append(details['ipv4'])
        entries.extend(details.get('ipv4_secondaries') or [])
        for entry in entries:
            if _text(entry.get('address')) == node_ip and entry.get('netmask'):
                return name, ipaddress.ip_network(u'%s/%s' % (node_ip, entry['netmask']), strict=False)
    return None, None


def _network_node_problems(data, facts, problems):
    settings = data.get('settings') or {}
    node_ip = _text(settings.get('cluster_node_ip') or '')
    if not node_ip:
        problems.append(u'cluster_node_ip: empty (no default IPv4 route in the facts)%sset cluster_node_ip for this '
                        u'host in the inventory' % DASH)
        return
    if node_ip not in _addresses(facts):
        problems.append(u'cluster_node_ip: %s is not an address of this host (it has %s)%sset cluster_node_ip to '
                        u'one of them' % (node_ip, ', '.join(sorted(_addresses(facts))) or 'none', DASH))
        return
    vip = _ip(settings.get('cluster_control_plane_endpoint_address') or '')
    if not data.get('is_lb') or vip is None:
        return
    interface, network = _interface_network(facts, node_ip)
    if network is not None and (vip.version != network.version or vip not in network):
        problems.append(u'cluster_control_plane_endpoint_address: VIP %s is outside %s, the network of %s which holds '
                        u'cluster_node_ip %s%skeepalived can only hold an address of that network; choose a free '
                        u'address in it' % (vip, network, interface, node_ip, DASH))


def _swap_warnings(data, facts, warnings):
    settings = data.get('settings') or {}
    if int(facts.get('swaptotal_mb') or 0) > 0 and not _to_bool(settings.get('cluster_preflight_swap_managed', True)):
        warnings.append(u'swap is on (%s MiB) and os_prep does not turn it off: kubelet refuses to start with swap '
                        u'unless configured for it' % facts.get('swaptotal_mb'))


def node_problems(data):
    """Problems and warnings of one node: ``{"problems": [...], "warnings": [...]}``.

    Sections missing from ``data`` are skipped, so the Python probe can run
    before facts exist. Keys: ``python_probe`` + ``controller_ansible_version``;
    ``facts`` (ansible_facts); ``settings`` (cluster_* values of the host);
    ``is_control_plane``, ``is_lb``; ``cgroup`` ({v2_controllers: text or None,
    v1_proc_cgroups: text}); ``listening`` (/proc/net/tcp + tcp6 text);
    ``kubelet_conf_exists``; ``clock`` ({before, node, after} epoch seconds).
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
        version = parse_version(_text(settings.get('cluster_kubernetes_version', '')))
        _cgroup_problems(data, version, problems, warnings)
    _clock_problems(data, problems)
    _port_problems(data, problems)
    return {'problems': problems, 'warnings': warnings}
