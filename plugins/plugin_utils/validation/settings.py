# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runtime, registry and scalar settings of an inventory (everything but networks, endpoint and version)."""

import re

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.base import (
    DASH,
    is_bool,
    is_dns_subdomain,
    is_str,
    to_bool,
    to_port,
    type_name,
    unique,
)

_REGISTRY_RE = re.compile(r'^[A-Za-z0-9.-]+(:[0-9]+)?$')


def _image_repository_problems(where, value, settings):
    variable = where + 'cluster_image_repository'
    if not is_str(value) or not value.strip():
        return ['%s: empty%sset a registry prefix like registry.k8s.io or registry.aliyuncs.com/google_containers'
                % (variable, DASH)]
    if '://' in value:
        return ["%s: '%s' has a URL scheme%swrite it without it: '%s'"
                % (variable, value, DASH, value.split('://', 1)[1].rstrip('/'))]
    if value.endswith('/') or any(char.isspace() for char in value):
        return ["%s: '%s' has a trailing '/' or spaces%swrite it like registry.k8s.io" % (variable, value, DASH)]
    return []


def _registry_mirror_problems(where, value, settings):
    variable = where + 'cluster_registry_mirrors'
    example = '{"docker.io": ["https://mirror.example"]}'
    if not isinstance(value, dict):
        return ['%s: must be a mapping of registry host to a list of mirror URLs, got %s%swrite it like %s'
                % (variable, type_name(value), DASH, example)]
    problems = []
    for registry, mirrors in value.items():
        if not is_str(registry) or not registry or '/' in registry:
            problems.append("%s: key %r is not a registry host%suse the host only (docker.io, registry.k8s.io), "
                            'e.g. %s' % (variable, registry, DASH, example))
            continue
        if not isinstance(mirrors, list):
            problems.append("%s['%s']: must be a list of URLs, got %s%swrite it like %s"
                            % (variable, registry, type_name(mirrors), DASH, example))
            continue
        for mirror in mirrors:
            if not is_str(mirror) or not mirror.startswith(('http://', 'https://')):
                problems.append("%s['%s']: %r is not an http(s) URL%swrite it like https://mirror.example"
                                % (variable, registry, mirror, DASH))
    return problems


def _insecure_registry_problems(where, value, settings):
    variable = where + 'cluster_insecure_registries'
    if not isinstance(value, list):
        return ['%s: must be a list of host[:port], got %s%swrite it like ["192.168.1.5:5000"]'
                % (variable, type_name(value), DASH)]
    return ["%s: %r is not host[:port]%swrite it without scheme or path, like 192.168.1.5:5000"
            % (variable, entry, DASH)
            for entry in value if not is_str(entry) or not _REGISTRY_RE.match(entry)]


def _runtime_problems(where, value, settings):
    # The names of the runtime table (role cluster's cluster_runtimes).
    supported = list(settings.get('cluster_supported_runtimes') or [])
    if value in supported:
        return []
    return ['%scluster_container_runtime: %r is not a supported runtime%suse one of %s'
            % (where, value, DASH, ', '.join(supported))]


# The settings a host may override (PER_HOST_KEYS of the inventory), each with its check.
PER_HOST_CHECKS = (
    ('cluster_container_runtime', _runtime_problems),
    ('cluster_image_repository', _image_repository_problems),
    ('cluster_registry_mirrors', _registry_mirror_problems),
    ('cluster_insecure_registries', _insecure_registry_problems),
)


def per_host_setting_problems(inv):
    """Check each host's value; a bad shared value is reported once, without a host."""
    problems = []
    for key, check in PER_HOST_CHECKS:
        for host in inv.members:
            if inv.overrides(host, key):
                problems.extend(check(inv.where(host), inv.host_value(host, key), inv.settings))
        if not inv.members or not all(inv.overrides(host, key) for host in inv.members):
            problems.extend(check('', inv.settings.get(key), inv.settings))
    return unique(problems)


def scalar_problems(settings):
    """Ports, the DNS domain and cluster_fail_cgroup_v1 of the cluster-wide ``settings``."""
    problems = []
    if to_bool(settings.get('cluster_inventory_sample', False)):
        problems.append('cluster_inventory_sample: true: this is the sample inventory, with example addresses and '
                        'a placeholder VRRP password%scopy it, put in your hosts, addresses and password, then '
                        'delete the cluster_inventory_sample line' % DASH)
    for key in ('cluster_control_plane_endpoint_port', 'cluster_apiserver_bind_port'):
        if to_port(settings.get(key)) is None:
            problems.append('%s: %r is not a TCP port%suse a number from 1 to 65535' % (key, settings.get(key), DASH))
    domain = settings.get('cluster_dns_domain')
    if not is_dns_subdomain(domain):
        problems.append('cluster_dns_domain: %r is not a lowercase DNS name%swrite it like cluster.local '
                        '(no trailing dot)' % (domain, DASH))
    if not is_bool(settings.get('cluster_fail_cgroup_v1', True)):
        problems.append('cluster_fail_cgroup_v1: %r is not a boolean%swrite true or false'
                        % (settings.get('cluster_fail_cgroup_v1'), DASH))
    return problems


# The public join and init settings whose "all" kubeadm would accept and silently skip every check.
PREFLIGHT_ERRORS_KEYS = ('kubeadm_master_ignore_preflight_errors', 'kubeadm_worker_ignore_preflight_errors')


def preflight_errors_problems(settings):
    """kubeadm's --ignore-preflight-errors lists: named checks only, never "all"."""
    problems = []
    for key in PREFLIGHT_ERRORS_KEYS:
        value = settings.get(key, [])
        if not isinstance(value, list) or not all(is_str(item) for item in value):
            problems.append('%s: must be a list of kubeadm preflight check names, got %s%swrite it like '
                            '[SystemVerification]' % (key, type_name(value), DASH))
        elif 'all' in [item.lower() for item in value]:
            problems.append('%s: "all" hides real problems (swap, ports, cgroups)%slist only the named checks '
                            'that cannot pass, e.g. [SystemVerification]' % (key, DASH))
    return problems
