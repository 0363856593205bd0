# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles' own settings, checked before any host changes: argument specs and the roles' value rules.

Two kinds of rules live here, each with one home:

- The argument specs (``roles/*/meta/argument_specs.yml``) are read as they are: every option with a type
  or choices that the inventory sets for a host is validated with ansible-core's own argument spec
  validator, the code the role runs when it starts (exact case for choices).
- ``ROLE_RULES``: the value rules the specs cannot say (ranges, formats, one setting needing another).
  The roles run the same rules through the filter ``duoshou.kubeadm.role_problems`` (``role_problems`` below),
  so that a role applied on its own refuses what validation refuses, with the same message.

``tests/unit/test_validation_covers_roles.py`` walks every role's asserts and specs and fails when a rule
exists only in a role.
"""

import os
import re

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.duoshou.kubeadm.plugins.module_utils.tokens import TokenError, parse_token_durations
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.base import DASH, is_str, to_text, unique
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.networks import _parses as cidr_parses

# Roles whose options are inputs of the collection's own tasks, never set in an inventory.
INTERNAL_ROLES = ('internal_helpers',)
# Options the other modules check with their own, more specific message (one problem, not two).
DEDICATED = ('cluster_container_runtime', 'cluster_control_plane_endpoint_port', 'cluster_apiserver_bind_port',
             'cluster_insecure_registries', 'cluster_registry_mirrors', 'cluster_fail_cgroup_v1',
             'calico_ipv4pool_block_size', 'haproxy_keepalived_auth_pass', 'kubeadm_master_ignore_preflight_errors',
             'kubeadm_worker_ignore_preflight_errors')
_SPEC_KEYS = ('type', 'choices', 'elements')
_TYPE_WORDS = {'int': 'an integer', 'bool': 'a boolean (true or false)', 'list': 'a YAML list', 'dict': 'a mapping',
               'float': 'a number', 'str': 'a string', 'path': 'a path'}
_SHA256_RE = re.compile(r'^[0-9a-fA-F]{64}$')
_CALICO_CHECKSUM_RE = re.compile(r'^sha256:[0-9a-f]{64}$')
_RELEASE_RE = re.compile(r'^[0-9]+\.[0-9]+\.[0-9]+$')
_FIREWALL_PORT_RE = re.compile(r'^[0-9]+(-[0-9]+)?/(tcp|udp|sctp)$')
FIREWALL_PORT_LISTS = ('os_prep_firewall_control_plane_ports', 'os_prep_firewall_worker_ports',
                       'os_prep_firewall_calico_ports', 'os_prep_firewall_lb_ports', 'os_prep_firewall_extra_ports')


def spec_options(role_specs):
    """{option: (role, spec)} of the user-facing options with a type or choices, from every role's specs."""
    options = {}
    for role in sorted(role_specs or {}):
        if role in INTERNAL_ROLES:
            continue
        for entry in (role_specs[role] or {}).values():
            for name, details in ((entry or {}).get('options') or {}).items():
                if name.startswith('_') or not isinstance(details, dict):
                    continue
                spec = dict((key, details[key]) for key in _SPEC_KEYS if key in details)
                if spec.get('type', 'str') == 'raw' and 'choices' not in spec:
                    continue
                options.setdefault(name, (role, spec))
    return options


def spec_problem(name, value, role, spec):
    """Why ``value`` fails the option's argument spec (as the role would refuse it), or None."""
    result = ArgumentSpecValidator({name: spec}).validate({name: value})
    if not result.error_messages:
        return None
    if 'choices' in spec:
        fix = 'use one of %s, written exactly so (the case matters)' % ', '.join(to_text(c) for c in spec['choices'])
    else:
        kind = _TYPE_WORDS.get(spec.get('type', 'str'), spec.get('type'))
        elements = spec.get('elements')
        of_elements = ' of %ss' % _TYPE_WORDS[elements].split(' ', 1)[1] if elements in _TYPE_WORDS else ''
        fix = 'write %s%s' % (kind, of_elements)
    return '%s: %r is refused by the role %s (%s)%s%s' % (name, value, role, result.error_messages[0], DASH, fix)


def _int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        # What the role's ``| int`` and the argument spec's int accept.
        return int(value)
    if is_str(value) and re.match(r'^-?[0-9]+$', value.strip()):
        return int(value.strip())
    return None


def _bool(value):
    # Ansible's own ``| bool`` (a list or a mapping is not true; the argument spec refuses it).
    try:
        return boolean(value, strict=False)
    except TypeError:
        return False


def _range_rule(name, low, high, why):
    def rule(values, ctx):
        value = values.get(name)
        if value is None:
            return []
        number = _int(value)
        if number is None or number < low or (high is not None and number > high):
            bounds = '%d to %d' % (low, high) if high is not None else 'at least %d' % low
            return ['%s: %r is out of range%suse %s (%s)' % (name, value, DASH, bounds, why)]
        return []
    return rule


def _nopreempt_rule(values, ctx):
    weight = _int(values.get('haproxy_keepalived_check_weight'))
    if _bool(values.get('haproxy_keepalived_nopreempt')) and weight not in (None, 0):
        return ['haproxy_keepalived_nopreempt: true with haproxy_keepalived_check_weight %d, so a host whose haproxy '
                'died would keep the VIP (a backup never preempts)%sset haproxy_keepalived_check_weight to 0 or '
                'haproxy_keepalived_nopreempt to false' % (weight, DASH)]
    return []


def _calico_version_rule(values, ctx):
    value = values.get('calico_version')
    if value is None or (is_str(value) and _RELEASE_RE.match(value)):
        return []
    return ["calico_version: %r is not a release MAJOR.MINOR.PATCH%swrite it like '%s' (no 'v')"
            % (value, DASH, ctx.get('calico_pin') or '3.29.3')]


def _calico_kubectl_host_rule(values, ctx):
    value = values.get('calico_kubectl_host')
    control_planes = ctx.get('control_planes') or []
    if value is None or value in control_planes:
        return []
    return ['calico_kubectl_host: %r is not in kube_control_plane%sname one of %s, or leave it unset for the first'
            % (value, DASH, ', '.join(control_planes) or 'the control planes')]


def _calico_checksum_rule(values, ctx):
    """The upstream manifest is always verified; '' is tolerated for an own URL and with calico_manifest_src.

    ``calico_manifest_checksum`` None is the role's default (the pinned checksum of calico_version, else '').
    ``calico_manifest_url`` None is the upstream URL; the role passes its resolved URL and, in the context,
    ``calico_manifest_upstream_url`` to compare it with (validation sees only what the inventory sets).
    """
    checksum = values.get('calico_manifest_checksum')
    if to_text(values.get('calico_manifest_src') or ''):
        return []
    if checksum not in (None, '') and not (is_str(checksum) and _CALICO_CHECKSUM_RE.match(checksum)):
        return ["calico_manifest_checksum: %r is not 'sha256:<64 lowercase hex digits>'%swrite the sha256sum of the "
                'manifest with the sha256: prefix' % (checksum, DASH)]
    version = values.get('calico_version')
    pinned = ctx.get('calico_pinned_versions')
    url = values.get('calico_manifest_url')
    upstream = ctx.get('calico_manifest_upstream_url')
    if checksum not in (None, '') or not is_str(version) or pinned is None:
        return []
    if url is not None and (upstream is None or url != upstream):
        return []
    if version not in pinned:
        return ['calico_manifest_checksum: not set, and no checksum is pinned for calico_version %s%sset it to '
                "'sha256:' + the sha256sum of that version's calico.yaml, or use a pinned version (%s)"
                % (version, DASH, ', '.join(sorted(pinned)))]
    if checksum == '':
        return ["calico_manifest_checksum: '' would leave the upstream manifest unverified%sleave it unset (the "
                'pinned checksum of calico_version %s is used), or set calico_manifest_url to your own copy'
                % (DASH, version)]
    return []


def _calico_src_rule(values, ctx):
    src = values.get('calico_manifest_src')
    if not is_str(src) or not src:
        return []
    if not os.path.isfile(os.path.expanduser(src)):
        return ["calico_manifest_src: '%s' is not a file on the controller%scopy Calico's calico.yaml there, or "
                'leave it empty to download the manifest' % (src, DASH)]
    return []


def _calico_autodetection_rule(values, ctx):
    value = values.get('calico_ip_autodetection_method')
    if not is_str(value) or not value.startswith('cidr='):
        return []
    bad = []
    for item in value[len('cidr='):].split(','):
        parts = item.strip().split('/')
        # calico-node parses each with Go's net.ParseCIDR: an address and a prefix length, no netmask.
        if len(parts) != 2 or not parts[1].isdigit() or not cidr_parses(item.strip()):
            bad.append(item.strip())
    if bad:
        return ['calico_ip_autodetection_method: %s in %r is not a CIDR with a prefix length%swrite it like '
                'cidr=192.168.1.0/24' % (', '.join(repr(item) for item in bad), value, DASH)]
    return []


def _sha256_problem(name, value, why):
    if is_str(value) and _SHA256_RE.match(value):
        return []
    return ['%s: %r is not a SHA-256 (64 hex digits)%s%s' % (name, value if value is not None else '', DASH, why)]


def _docker_cri_source_rule(values, ctx):
    if values.get('cluster_container_runtime', 'docker') != 'docker':
        return []
    source = values.get('docker_cri_cri_dockerd_source')
    if source == 'package':
        return _sha256_problem('docker_cri_cri_dockerd_package_checksum',
                               values.get('docker_cri_cri_dockerd_package_checksum'),
                               'docker_cri_cri_dockerd_source is package: set the sha256sum of the cri-dockerd package '
                               'for your distribution (docker_cri_cri_dockerd_package_url), use '
                               'docker_cri_cri_dockerd_source: repository, or cluster_container_runtime: containerd')
    if source == 'binary':
        problems = []
        if not to_text(values.get('docker_cri_cri_dockerd_binary_url') or ''):
            problems.append('docker_cri_cri_dockerd_binary_url: empty with docker_cri_cri_dockerd_source binary%sset '
                            "a URL or a directory on the controller holding 'cri-dockerd'" % DASH)
        problems.extend(_sha256_problem('docker_cri_cri_dockerd_binary_checksum',
                                        values.get('docker_cri_cri_dockerd_binary_checksum'),
                                        'set the sha256sum of the cri-dockerd binary'))
        return problems
    return []


def _kube_packages_binaries_rule(values, ctx):
    if values.get('kube_packages_source') != 'binaries':
        return []
    problems = []
    components = values.get('kube_packages_components') or []
    if not _bool(values.get('kube_packages_install_kubectl', False)):
        components = [name for name in components if name != 'kubectl']
    checksums = values.get('kube_packages_binaries_checksums')
    checksums = checksums if isinstance(checksums, dict) else {}
    missing = [name for name in components if name not in checksums]
    if missing:
        problems.append('kube_packages_binaries_checksums: no SHA-256 for %s with kube_packages_source binaries%s'
                        'add them (the .sha256 files next to the downloads on dl.k8s.io)' % (', '.join(missing), DASH))
    for name, digest in sorted(checksums.items()):
        if not (is_str(digest) and _SHA256_RE.match(digest)):
            problems.append("kube_packages_binaries_checksums['%s']: %r is not a SHA-256 (64 hex digits)%swrite the "
                            'sha256sum of the binary' % (name, digest, DASH))
    for flag, name in (('kube_packages_install_cni_plugins', 'kube_packages_cni_plugins_checksum'),
                       ('kube_packages_install_crictl', 'kube_packages_crictl_checksum')):
        if _bool(values.get(flag, True)):
            problems.extend(_sha256_problem(name, values.get(name),
                                            'kube_packages_source is binaries: set the sha256sum of the archive, '
                                            'or %s: false' % flag))
    return problems


def _firewall_ports_rule(values, ctx):
    """Every port list; the role passes ``firewall_ports``, the ports its host opens, and only those count."""
    if values.get('os_prep_firewall') != 'open':
        return []
    problems = []
    opened = ctx.get('firewall_ports')
    for name in FIREWALL_PORT_LISTS:
        ports = values.get(name)
        if not isinstance(ports, list):
            continue
        wrong = [port for port in ports if not _FIREWALL_PORT_RE.match(to_text(port))
                 and (opened is None or to_text(port) in opened)]
        if wrong:
            problems.append("%s: %s not like '6443/tcp' or '30000-32767/tcp'%swrite port[-port]/tcp|udp|sctp"
                            % (name, ', '.join(repr(port) for port in wrong), DASH))
    return problems


def _token_duration_rule(values, ctx):
    names = ('cluster_bootstrap_token_min_remaining', 'cluster_bootstrap_token_ttl')
    if any(values.get(name) is None for name in names):
        return []
    try:
        # The module takes them as strings (its options are of type str): 7200 is not a duration, 0 is.
        parse_token_durations(*[to_text(values[name]) for name in names])
    except TokenError as exc:
        name = names[1] if to_text(exc).startswith('ttl') else names[0]
        return ['%s: %r is refused by the kubeadm_token module (%s)%swrite a Go duration such as 2h, 90m or 1h30m0s '
                '(units h, m, s; no d), the minimum shorter than the ttl' % (name, values[name], exc, DASH)]
    return []


# (role, variables the rule reads, rule). The rule gets the host's values of those variables (what the
# inventory sets, else the role's literal default) and the context; it returns problems without the host.
ROLE_RULES = (
    ('haproxy_keepalived', ('haproxy_keepalived_virtual_router_id',),
     _range_rule('haproxy_keepalived_virtual_router_id', 1, 255, 'unique per network segment')),
    ('haproxy_keepalived', ('haproxy_keepalived_priority',),
     _range_rule('haproxy_keepalived_priority', 1, 254, 'keepalived refuses others')),
    ('haproxy_keepalived', ('haproxy_keepalived_advert_int',),
     _range_rule('haproxy_keepalived_advert_int', 1, None, 'seconds between VRRP adverts')),
    ('haproxy_keepalived', ('haproxy_keepalived_check_weight',),
     _range_rule('haproxy_keepalived_check_weight', -253, 253, "keepalived's weight range")),
    ('haproxy_keepalived', ('haproxy_keepalived_backends_check_weight',),
     _range_rule('haproxy_keepalived_backends_check_weight', -253, 0, 'it lowers the priority, never raises it')),
    ('haproxy_keepalived', ('haproxy_keepalived_nopreempt', 'haproxy_keepalived_check_weight'), _nopreempt_rule),
    ('calico', ('calico_version',), _calico_version_rule),
    ('calico', ('calico_kubectl_host',), _calico_kubectl_host_rule),
    ('calico', ('calico_manifest_checksum', 'calico_manifest_src', 'calico_version', 'calico_manifest_url'),
     _calico_checksum_rule),
    ('calico', ('calico_manifest_src',), _calico_src_rule),
    ('calico', ('calico_ip_autodetection_method',), _calico_autodetection_rule),
    ('docker_cri', ('cluster_container_runtime', 'docker_cri_cri_dockerd_source',
                    'docker_cri_cri_dockerd_package_checksum', 'docker_cri_cri_dockerd_binary_url',
                    'docker_cri_cri_dockerd_binary_checksum'), _docker_cri_source_rule),
    ('kube_packages', ('kube_packages_source', 'kube_packages_components', 'kube_packages_install_kubectl',
                       'kube_packages_binaries_checksums', 'kube_packages_install_cni_plugins',
                       'kube_packages_cni_plugins_checksum', 'kube_packages_install_crictl',
                       'kube_packages_crictl_checksum'), _kube_packages_binaries_rule),
    ('os_prep', ('os_prep_firewall',) + FIREWALL_PORT_LISTS, _firewall_ports_rule),
    ('cluster', ('cluster_bootstrap_token_min_remaining', 'cluster_bootstrap_token_ttl'), _token_duration_rule),
    ('kubeadm_join', ('kubeadm_join_command_token_ttl_minutes',),
     _range_rule('kubeadm_join_command_token_ttl_minutes', 1, None, 'a token that never expires is not handed out')),
)


ROLES_WITH_RULES = tuple(sorted(set(role for role, _names, _rule in ROLE_RULES)))


def role_problems(role, values, ctx=None):
    """Problems of one role's value rules for one host's resolved ``values`` (the filter the roles call)."""
    if role not in ROLES_WITH_RULES:
        raise ValueError('no value rules for the role %r (roles with rules: %s)' % (role, ', '.join(ROLES_WITH_RULES)))
    problems = []
    for rule_role, _names, rule in ROLE_RULES:
        if rule_role == role:
            problems.extend(rule(values, ctx or {}))
    return problems


def _role_hosts(inv, role):
    """The hosts site.yml applies ``role`` to."""
    if role == 'haproxy_keepalived':
        return inv.lbs
    if role == 'calico':
        return inv.control_planes[:1]
    if role == 'docker_cri':
        return [host for host in inv.nodes if inv.host_value(host, 'cluster_container_runtime') == 'docker']
    return inv.nodes


def _literal_defaults(role_defaults):
    merged = {}
    for defaults in (role_defaults or {}).values():
        for name, value in (defaults or {}).items():
            if '{{' not in repr(value):
                merged[name] = value
    return merged


def _report(inv, found):
    """One line per problem: without a host when every host checked has it (a shared value), else with the hosts."""
    for text in unique([text for text, _host, _checked in found]):
        hosts = [host for other, host, _checked in found if other == text]
        checked = [entry for other, _host, entry in found if other == text][0]
        if len(hosts) > 1 and hosts == checked:
            inv.problems.append(text)
        elif len(hosts) == 1:
            inv.problems.append(inv.where(hosts[0]) + text)
        else:
            inv.problems.append('hosts %s: %s' % (', '.join(hosts), text))


def role_setting_problems(inv, role_specs, role_defaults, settings):
    """Every role setting the inventory sets for a host, against the specs and ``ROLE_RULES``."""
    found = []
    options = spec_options(role_specs)
    for host in inv.members:
        values = inv.hosts.get(host) or {}
        for name in sorted(values):
            if name in options and name not in DEDICATED:
                problem = spec_problem(name, values[name], *options[name])
                if problem:
                    found.append((problem, host, inv.members))
    defaults = _literal_defaults(role_defaults)
    pins = settings.get('cluster_pins') or {}
    ctx = {'control_planes': inv.control_planes, 'calico_pin': pins.get('calico'),
           'calico_pinned_versions': sorted(pins['calico_manifest_sha256']) if 'calico_manifest_sha256' in pins
           else None}
    for role, names, rule in ROLE_RULES:
        checked = _role_hosts(inv, role)
        for host in checked:
            own = inv.hosts.get(host) or {}
            if not any(name in own for name in names) and role != 'docker_cri':
                continue
            values = dict((name, defaults[name]) for name in names if name in defaults)
            values.update((name, own[name]) for name in names if name in own)
            if 'cluster_container_runtime' in names:
                values['cluster_container_runtime'] = inv.host_value(host, 'cluster_container_runtime')
            if values.get('calico_version') is None and 'calico_version' in names and pins.get('calico'):
                values['calico_version'] = pins['calico']
            found.extend((text, host, checked) for text in rule(values, ctx))
    _report(inv, found)
