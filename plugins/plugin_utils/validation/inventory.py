# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every problem of a duoshou.kubeadm inventory, found on the controller without contacting a host.

``inventory_problems`` runs the checks of each subject in a fixed order: groups and node names (here),
settings the hosts must agree on (here), runtime and registries (``settings``), the version
(``versions``), scalar settings (``settings``), networks and node addresses (``networks``), the
control-plane endpoint and HA (``endpoint``), the roles' own settings (``roles``). The filter
``cluster_problems`` exposes it.
"""

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.base import (
    DASH,
    is_dns_subdomain,
    to_bool,
    to_ip,
    unique,
)
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.endpoint import (
    endpoint_problems,
    vrrp_password_problems,
)
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.networks import (
    network_problems,
    node_ip_problems,
)
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.roles import role_setting_problems
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.settings import (
    per_host_setting_problems,
    preflight_errors_problems,
    scalar_problems,
)
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.versions import (
    version_problems,
)

# Inventory group names are fixed (docs/development.md).
CONTROL_PLANE_GROUP = 'kube_control_plane'
WORKER_GROUP = 'kube_workers'
LB_GROUP = 'kube_lb'

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
# Settings a host may legitimately override (settings.PER_HOST_CHECKS); each host's value is checked.


class Inventory:
    """Group membership and per-host values of an inventory, and the problems found so far."""

    def __init__(self, data, problems):
        self.settings = dict(data.get('settings') or {})
        self.groups = data.get('groups') or {}
        self.hosts = data.get('hosts') or {}
        self.require_node_ip = to_bool(data.get('require_node_ip', True))
        self.problems = problems
        self.cp_group = CONTROL_PLANE_GROUP
        self.worker_group = WORKER_GROUP
        self.lb_group = LB_GROUP
        self.control_planes = list(self.groups.get(self.cp_group) or [])
        self.workers = list(self.groups.get(self.worker_group) or [])
        self.lbs = list(self.groups.get(self.lb_group) or [])
        self.nodes = unique(self.control_planes + self.workers)
        self.members = unique(self.nodes + self.lbs)
        # Hosts the inventory defines (a group may name one it does not).
        self.known = set(self.groups.get('all') or []) | set(self.hosts)

    def where(self, host):
        for group in (self.cp_group, self.worker_group, self.lb_group):
            if host in (self.groups.get(group) or []):
                return '%s host %s: ' % (group, host)
        return 'host %s: ' % host

    def overrides(self, host, key):
        """True when the host has its own value (group_vars/all values equal the shared setting)."""
        values = self.hosts.get(host) or {}
        return key in values and values[key] != self.settings.get(key)

    def host_value(self, host, key):
        values = self.hosts.get(host) or {}
        if key in values:
            return values[key]
        return self.settings.get(key)


def inventory_problems(data):
    """Every problem of an inventory, as a list of strings (empty when it is usable).

    ``data`` is ``{"settings": {cluster_* values resolved on the controller},
    "groups": {group name: [host, ...], "all": [...]}, "hosts": {host:
    {"cluster_node_ip": ..., "facts_gathered": bool, "default_ipv4": ...,
    any CLUSTER_WIDE_KEYS / per-host setting the inventory sets for that host}},
    "require_node_ip": bool (default true: a host without cluster_node_ip and
    without facts is a problem; false: its address checks are skipped),
    "role_specs": {role: the argument_specs of roles/<role>/meta/argument_specs.yml},
    "role_defaults": {role: roles/<role>/defaults/main.yml}}``; with role_specs, every role option a
    host sets is checked against its spec and the roles' value rules (``roles``).
    """
    problems = []
    inv = Inventory(data, problems)
    _group_problems(inv)
    settings = _cluster_wide_settings(inv)
    problems.extend(per_host_setting_problems(inv))
    # The supported minors and runtimes come from the role cluster (one home each), never from here.
    supported = inv.settings.get('cluster_supported_kubernetes_minors') or []
    problems.extend(version_problems(settings.get('cluster_kubernetes_version'), list(supported)))
    problems.extend(scalar_problems(settings))
    problems.extend(preflight_errors_problems(inv.settings))
    networks = network_problems(inv, settings)
    node_ips = node_ip_problems(inv, networks)
    endpoint_problems(inv, settings, networks, node_ips)
    vrrp_password_problems(inv)
    if data.get('role_specs'):
        role_setting_problems(inv, data['role_specs'], data.get('role_defaults'), inv.settings)
    return problems


def _group_problems(inv):
    problems = inv.problems
    cluster_groups = (inv.cp_group, inv.worker_group, inv.lb_group)
    if not inv.control_planes:
        found = sorted(name for name in inv.groups if name not in ('all', 'ungrouped') + cluster_groups)
        problems.append('%s: inventory group is empty or missing (other groups: %s)%sput the control plane hosts '
                        'in the group %s (the group names are fixed)'
                        % (inv.cp_group, ', '.join(found) or 'none', DASH, inv.cp_group))
    elif len(inv.control_planes) % 2 == 0:
        problems.append('%s: %d control planes (%s)%setcd needs an odd number for quorum (2 survive no failure '
                        'and are worse than 1); use 1 or 3'
                        % (inv.cp_group, len(inv.control_planes), ', '.join(inv.control_planes), DASH))
    for host in inv.control_planes:
        if host in inv.workers:
            problems.append('%s host %s: also in %s%sa host is either a control plane or a worker; remove it from '
                            '%s (control planes keep their NoSchedule taint)'
                            % (inv.cp_group, host, inv.worker_group, DASH, inv.worker_group))
    for host in inv.members:
        if host not in inv.known:
            problems.append('%shost is not defined in the inventory%sdefine it (with ansible_host) or remove it '
                            'from the group' % (inv.where(host), DASH))
    for host in inv.groups.get('all') or []:
        # An explicit localhost is the controller itself (delegation), not a node.
        if host not in inv.members and host not in ('localhost', '127.0.0.1', '::1'):
            problems.append('host %s: in none of the groups %s%sput it in one of them or remove it from the '
                            'inventory' % (host, ', '.join(cluster_groups), DASH))
    for host in inv.members:
        reason = node_name_problem(host)
        if reason:
            problems.append(inv.where(host) + reason)


def node_name_problem(name):
    """Why ``name`` cannot be a Kubernetes node name and hostname, or None."""
    if to_ip(name) is not None:
        return ("inventory_hostname '%s' is an IP address%sthe inventory name becomes the node name and hostname; "
                "name the host (k8s-worker1) and put the address in ansible_host and cluster_node_ip" % (name, DASH))
    if '_' in name:
        reason = "contains '_'"
    elif name != name.lower():
        reason = 'contains upper case letters'
    elif len(name) > 63 and '.' not in name:
        reason = 'is longer than 63 characters'
    elif not is_dns_subdomain(name):
        reason = 'is not a valid RFC 1123 name'
    else:
        return None
    return ("inventory_hostname '%s' %s%snode names must be lowercase RFC 1123 (letters, digits, '-', '.'); "
            'rename the host in the inventory' % (name, reason, DASH))


def _cluster_wide_settings(inv):
    """The value every node uses, and a problem for each setting the nodes disagree on."""
    settings = dict(inv.settings)
    anchor = inv.control_planes[0] if inv.control_planes else (inv.members[0] if inv.members else None)
    for key in CLUSTER_WIDE_KEYS:
        values = [(host, inv.host_value(host, key)) for host in inv.members]
        distinct = unique([value for _host, value in values])
        if len(distinct) > 1:
            detail = '; '.join('%r on %s' % (value, ', '.join(h for h, v in values if v == value))
                               for value in distinct)
            inv.problems.append('%s: differs between hosts (%s)%sset it once for all hosts in group_vars/all'
                                % (key, detail, DASH))
        if anchor is not None:
            settings[key] = inv.host_value(anchor, key)
    return settings
