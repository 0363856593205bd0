"""Validation misses nothing a role would refuse: every role rule is refused first by playbooks/validate.yml.

The walk reads every ``ansible.builtin.assert`` / ``ansible.builtin.fail`` task of ``roles/*/tasks`` and every
argument-spec option with choices, a non-string type or ``required``. Each assert must be in ``CASES`` (a bad
inventory value and the problem validation reports for it, exercised through ``inventory_problems``, the code
behind ``validate.yml``) or in ``NOT_BEFORE_HOSTS`` with the reason it cannot be checked before any host is
contacted. A new assert without either makes ``test_every_role_rule_has_a_validation_counterpart`` fail.

The value rules live once, in ``validation/roles.py``: the roles run them through the filter ``role_problems``
instead of restating them, and ``test_each_role_runs_its_rules_through_role_problems`` fails when a role with
rules does not call it or leaves out a variable its rules read.
"""

import copy
import functools
import glob
import os
import re

import pytest
import yaml
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.inventory import inventory_problems
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.roles import (
    INTERNAL_ROLES,
    ROLE_RULES,
    ROLES_WITH_RULES,
    spec_options,
)
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.plugin_utils.validation.inventories import ha, single

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = os.path.join(REPO_ROOT, 'roles')
CHECKSUM = '0123456789abcdef' * 4


def _load(path):
    with open(path) as handle:
        return yaml.safe_load(handle) or {}


def _tasks(items):
    for task in items or []:
        if not isinstance(task, dict):
            continue
        yield task
        for key in ('block', 'rescue', 'always'):
            yield from _tasks(task.get(key))


def role_rules():
    """'role/tasks/file.yml: task name' of every assert and fail task."""
    found = []
    for path in sorted(glob.glob(os.path.join(ROLES, '*', 'tasks', '**', '*.yml'), recursive=True)):
        for task in _tasks(_load(path) if path.endswith('.yml') else []):
            if 'ansible.builtin.assert' in task or 'ansible.builtin.fail' in task:
                found.append('%s: %s' % (os.path.relpath(path, ROLES), task.get('name')))
    return found


@functools.lru_cache(maxsize=None)
def role_specs():
    return {path.split(os.sep)[-3]: _load(path)['argument_specs']
            for path in glob.glob(os.path.join(ROLES, '*', 'meta', 'argument_specs.yml'))}


@functools.lru_cache(maxsize=None)
def role_defaults():
    return {path.split(os.sep)[-3]: _load(path) for path in glob.glob(os.path.join(ROLES, '*', 'defaults', 'main.yml'))}


@functools.lru_cache(maxsize=None)
def _pins():
    return _load(os.path.join(ROLES, 'cluster', 'vars', 'main', 'pins.yml'))['cluster_pins']


@functools.lru_cache(maxsize=None)
def _options():
    return spec_options(role_specs())


def problems(base, values=None, settings=None, host_values=None):
    """validate.yml's problems for ``base()`` with role values set for every host (or per host)."""
    data = base()
    for host in data['groups']['all']:
        data['hosts'][host]['docker_cri_cri_dockerd_package_checksum'] = CHECKSUM
        data['hosts'][host].update(copy.deepcopy(values or {}))
    for host, extra in (host_values or {}).items():
        data['hosts'][host].update(extra)
    data['settings'].update(settings or {})
    data['settings']['cluster_pins'] = _pins()
    data['role_specs'] = role_specs()
    data['role_defaults'] = role_defaults()
    return inventory_problems(data)


# Role assert -> [(inventory, values for every host, expected text of validation's problem)].
CASES = {
    'calico/tasks/validate.yml: Check the Calico settings': [
        (single, {'calico_version': 'v3.29.3'}, "calico_version: 'v3.29.3' is not a release"),
        (single, {'calico_kubectl_host': 'k8s-worker1'},
         "calico_kubectl_host: 'k8s-worker1' is not in kube_control_plane"),
        (single, {'calico_manifest_checksum': 'abc'}, "calico_manifest_checksum: 'abc' is not 'sha256:"),
        (single, {'calico_version': '3.0.0'}, 'no checksum is pinned for calico_version 3.0.0'),
        (single, {'calico_manifest_checksum': ''}, "calico_manifest_checksum: '' would leave the upstream manifest"),
        (single, {'calico_manifest_src': '/nonexistent/calico.yaml'},
         "calico_manifest_src: '/nonexistent/calico.yaml' is not a file on the controller"),
        (single, {'calico_ip_autodetection_method': 'cidr=192.0.2.0/255.255.255.0'},
         'calico_ip_autodetection_method: '),
    ],
    'docker_cri/tasks/validate.yml: Check the cri-dockerd source settings': [
        (single, {'docker_cri_cri_dockerd_package_checksum': ''},
         "docker_cri_cri_dockerd_package_checksum: '' is not a SHA-256"),
        (single, {'docker_cri_cri_dockerd_source': 'binary'}, 'docker_cri_cri_dockerd_binary_url: empty'),
        (single, {'docker_cri_cri_dockerd_source': 'binary', 'docker_cri_cri_dockerd_binary_url': '/srv'},
         "docker_cri_cri_dockerd_binary_checksum: '' is not a SHA-256"),
    ],
    'haproxy_keepalived/tasks/validate.yml: Check the VRRP settings': [
        (ha, {'haproxy_keepalived_virtual_router_id': 256},
         'haproxy_keepalived_virtual_router_id: 256 is out of range'),
        (ha, {'haproxy_keepalived_priority': 0}, 'haproxy_keepalived_priority: 0 is out of range'),
        (ha, {'haproxy_keepalived_advert_int': 0}, 'haproxy_keepalived_advert_int: 0 is out of range'),
        (ha, {'haproxy_keepalived_check_weight': 254}, 'haproxy_keepalived_check_weight: 254 is out of range'),
        (ha, {'haproxy_keepalived_backends_check_weight': 10},
         'haproxy_keepalived_backends_check_weight: 10 is out of range'),
        (ha, {'haproxy_keepalived_nopreempt': True, 'haproxy_keepalived_check_weight': -20},
         'haproxy_keepalived_nopreempt: true with haproxy_keepalived_check_weight -20'),
    ],
    'haproxy_keepalived/tasks/validate.yml: Check that every control plane and lb host has a cluster address': [
        (ha, {'cluster_node_ip': '192.168.0.100'}, 'is used by several hosts'),
    ],
    'kube_packages/tasks/validate.yml: Check the checksums needed in binaries mode': [
        (single, {'kube_packages_source': 'binaries'}, 'kube_packages_binaries_checksums: no SHA-256 for kubeadm'),
        (single, {'kube_packages_source': 'binaries', 'kube_packages_install_cni_plugins': True},
         "kube_packages_cni_plugins_checksum: '' is not a SHA-256"),
    ],
    'kubeadm_join/tasks/command.yml: Check the token lifetime': [
        (single, {'kubeadm_join_command_token_ttl_minutes': 0},
         'kubeadm_join_command_token_ttl_minutes: 0 is out of range'),
    ],
    'os_prep/tasks/validate.yml: Check the node name is a valid Kubernetes node name': [
        (lambda: _renamed(single(), 'k8s-worker1', 'k8s_worker1'), {}, "inventory_hostname 'k8s_worker1' contains '_'"),
    ],
    'os_prep/tasks/firewall.yml: Check the port list format': [
        (single, {'os_prep_firewall': 'open', 'os_prep_firewall_extra_ports': ['8080']},
         "os_prep_firewall_extra_ports: '8080' not like '6443/tcp'"),
    ],
}

_RUNTIME = 'the runtime role site.yml applies follows cluster_container_runtime (validated), so it cannot disagree'
_RUN = 'reports a command that failed on a host, or a wait that timed out: there is nothing to check before the run'
_LIVE = 'compares with the running cluster or its nodes (kubectl, etcd, certificates), which only exist on the hosts'
_FACTS = 'depends on host facts (distribution, interfaces, installed packages), gathered only when hosts are contacted'
_INTERNAL = 'internal entry point: refuses a misuse of the collection by its own tasks, not an inventory value'
_ETCD = ('etcd_backup_* are chosen per run of playbooks/etcd_backup.yml (-e, --limit), which does not run '
         'validate.yml; their types are argument-spec options, which validation checks when an inventory sets them')
_PER_RUN = 'a confirmation typed per run (-e kubeadm_reset_confirm=...), never an inventory value'

# Role rules that cannot be checked before hosts are contacted, each with its reason.
NOT_BEFORE_HOSTS = {
    'calico/tasks/apply.yml: Report the failed apply': _RUN,
    'calico/tasks/patch.yml: Check that the manifest has the objects the patch changes':
        'needs the downloaded manifest, which is fetched on the control plane during the run',
    'calico/tasks/preflight.yml: Fail when a rerun would change the IP pool': _LIVE,
    'calico/tasks/wait.yml: Report what is not ready': _RUN,
    'cluster/tasks/preflight_python.yml: Fail when no Python on the node works with this ansible-core': _FACTS,
    'cluster/tasks/preflight_report.yml: Fail with every problem of the node': _FACTS,
    'cluster/tasks/validate.yml: Fail with every problem of the inventory': 'is the validation itself',
    'containerd/tasks/validate.yml: Check this runtime is the cluster\'s runtime': _RUNTIME,
    'containerd/tasks/version.yml: Check the containerd version is supported': _FACTS,
    'docker_cri/tasks/docker_install.yml: Check the distribution ships Docker': _FACTS,
    'docker_cri/tasks/validate.yml: Check this runtime is the cluster\'s runtime': _RUNTIME,
    'etcd/tasks/backup.yml: Check the backup settings': _ETCD,
    'etcd/tasks/backup.yml: Refuse a backup without a healthy etcd': _LIVE,
    'etcd/tasks/main.yml: Refuse to run the internal role on its own': _INTERNAL,
    'etcd/tasks/restore.yml: Check the control plane can be restored in place': _LIVE,
    'etcd/tasks/restore_checks.yml: Refuse the restore': _LIVE,
    'etcd/tasks/restore_swap.yml: Report the failed swap': _RUN,
    'etcd/tasks/snapshot.yml: Check the etcd pod mounts its data directory from the host': _LIVE,
    'haproxy_keepalived/tasks/validate.yml: Check that this host is in the kube_lb group':
        'site.yml applies haproxy_keepalived to kube_lb only: the assert guards direct use of the role',
    'haproxy_keepalived/tasks/validate.yml: Check that the VRRP interface is known': _FACTS,
    'haproxy_keepalived/tasks/verify.yml': _LIVE,
    'internal_helpers/tasks/cri_verify.yml: Report a runtime that does not answer': _RUN,
    'internal_helpers/tasks/fetch_file.yml: Refuse a controller file with the wrong checksum':
        'the file is a download made during the run; its checksum setting is checked (docker_cri, kube_packages)',
    'internal_helpers/tasks/main.yml: Refuse to run the internal role on its own': _INTERNAL,
    'kube_packages/tasks/validate.yml: Check the OS family': _FACTS,
    'kubeadm_join/tasks/command.yml: Report why no bootstrap token could be had': _RUN,
    'kubeadm_join/tasks/command.yml: Report why no certificate key could be had': _RUN,
    'kubeadm_join/tasks/join.yml: Explain the failed kubeadm join': _RUN,
    'kubeadm_join/tasks/join.yml: Report why no bootstrap token could be had': _RUN,
    'kubeadm_join/tasks/join.yml: Report why no certificate key could be had': _RUN,
    'kubeadm_master/tasks/certificates.yml: Check the apiserver certificate and admin.conf were renewed': _LIVE,
    'kubeadm_master/tasks/init.yml: Explain the failed kubeadm init': _RUN,
    'kubeadm_reset/tasks/confirm.yml: Require confirmation': _PER_RUN,
    'kubeadm_upgrade/tasks/apply.yml: Explain the failed kubeadm upgrade apply': _RUN,
    'kubeadm_upgrade/tasks/healthy.yml: Refuse to upgrade an unhealthy cluster': _LIVE,
    'kubeadm_upgrade/tasks/upgrade_node.yml: Explain the failed kubeadm upgrade node': _RUN,
    'os_prep/tasks/kernel_modules.yml: Fail when a kernel module is still missing': _FACTS,
    'etcd/tasks/member_remove.yml: Refuse to work through a control plane whose etcd does not run': _LIVE,
    'internal_helpers/tasks/drain.yml: Name the pods that block the drain': _RUN,
    'internal_helpers/tasks/drain.yml: Say why the drain failed before kubectl ran': _RUN,
    'kubeadm_master/tasks/kubeconfig.yml: Check every kubeconfig user has an account':
        'whether a user has an account is known only from the control plane (getent passwd)',
    'kubeadm_remove/tasks/decide.yml: Refuse the removal': _LIVE,
    'kubeadm_remove/tasks/main.yml: Refuse to run the internal role on its own': _INTERNAL,
    "kubeadm_remove/tasks/read.yml: Require the node's name":
        'the node to remove is chosen per run (-e kubeadm_remove_node=...), never an inventory value',
    # ssh_bootstrap runs before any cluster is described: first contact, with a password.
    'ssh_bootstrap/tasks/known_hosts.yml: Stop when the controller has no public key':
        "reads the controller's own files (the key is checked before any node is logged into)",
    'ssh_bootstrap/tasks/account.yml: Stop when the account does not exist and is not to be created': _LIVE,
    'ssh_bootstrap/tasks/python.yml: Stop when the node has no Python': _FACTS,
    'ssh_bootstrap/tasks/check.yml: Stop when the key login does not work': _RUN,
}


def _renamed(data, old, new):
    for members in data['groups'].values():
        members[:] = [new if host == old else host for host in members]
    data['hosts'][new] = data['hosts'].pop(old)
    return data


def _listed(rule):
    return rule in NOT_BEFORE_HOSTS or rule.split(': ', 1)[0] in NOT_BEFORE_HOSTS


def test_every_role_rule_has_a_validation_counterpart():
    rules = role_rules()
    assert len(rules) > 30, rules
    missing = [rule for rule in rules if rule not in CASES and not _listed(rule)]
    assert missing == [], 'role rules with no validation case and no reason to be unchecked: %s' % missing


def test_no_entry_names_a_rule_that_is_gone():
    rules = role_rules()
    stale = [rule for rule in list(CASES) + list(NOT_BEFORE_HOSTS)
             if rule not in rules and not any(found.startswith(rule + ': ') for found in rules)]
    assert stale == []


def test_the_good_inventories_pass_with_the_role_rules():
    assert problems(single) == []
    assert problems(ha) == []


@pytest.mark.parametrize('rule,base,values,expected',
                         [pytest.param(rule, *case, id='%s-%d' % (rule.split(': ')[0], index))
                          for rule, cases in sorted(CASES.items()) for index, case in enumerate(cases)])
def test_validation_refuses_what_the_role_refuses(rule, base, values, expected):
    found = problems(base, values)
    assert any(expected in problem for problem in found), (rule, found)


# Variables a role does not pass to role_problems, each with its reason.
NOT_PASSED_BY_THE_ROLE = {
    ('docker_cri', 'cluster_container_runtime'):
        "docker_cri checks cri-dockerd's source whatever the runtime; its next assert refuses another runtime",
}


def role_problems_calls():
    """{role: [variables the settings passed to role_problems('<role>') name]} over every role task."""
    calls = {}
    pattern = re.compile(r"role_problems\('([a-z_]+)'")
    for path in sorted(glob.glob(os.path.join(ROLES, '*', 'tasks', '**', '*.yml'), recursive=True)):
        for task in _tasks(_load(path)):
            for text in (task.get('vars') or {}).values():
                for role in pattern.findall('%s' % text):
                    calls.setdefault(role, []).extend(re.findall(r"'([a-z_]+)': ", '%s' % text))
    return calls


def test_each_role_runs_its_rules_through_role_problems():
    # The rules live once, in validation/roles.py: a role refuses its values through the filter, not a copy.
    calls = role_problems_calls()
    assert sorted(calls) == sorted(role for role in ROLES_WITH_RULES if role != 'cluster'), calls
    for role, names, _rule in ROLE_RULES:
        if role == 'cluster':
            continue  # validate.yml's own settings: the role cluster is the validation
        missing = [name for name in names if name not in calls[role] and (role, name) not in NOT_PASSED_BY_THE_ROLE]
        assert missing == [], 'the role %s does not pass %s to role_problems' % (role, missing)


def _bad_value(spec):
    if 'choices' in spec:
        # The first choice in another case: kubeadm, kube-proxy and Calico compare exactly.
        first = '%s' % spec['choices'][0]
        return first.swapcase() if first.swapcase() not in spec['choices'] else 'not-a-choice'
    return {'int': 'ten', 'bool': 'maybe', 'list': {'not': 'a list'}, 'dict': ['not', 'a mapping'],
            'float': 'x', 'path': ['x']}[spec['type']]


def spec_rules():
    for role, entries in sorted(role_specs().items()):
        for entry, spec in sorted(entries.items()):
            for name, details in sorted((spec.get('options') or {}).items()):
                kind = details.get('type', 'str')
                if details.get('choices') or kind not in ('str', 'raw') or details.get('required'):
                    yield role, entry, name, details


# Required string inputs of entry points that a playbook passes per run, never an inventory: the reason each.
REQUIRED_PER_RUN = {
    'etcd_member_remove_id': 'the etcd member id that kubeadm_remove reads from the running etcd and passes',
}

# Spec options validation checks with a rule of its own (the generic spec check stays quiet for them).
DEDICATED_SPEC_CASES = {
    'cluster_container_runtime': 'is not a supported runtime',
    'cluster_control_plane_endpoint_port': 'is not a TCP port',
    'cluster_apiserver_bind_port': 'is not a TCP port',
    'cluster_insecure_registries': 'must be a list of host[:port]',
    'cluster_registry_mirrors': 'must be a mapping of registry host',
    'cluster_fail_cgroup_v1': 'is not a boolean',
    'calico_ipv4pool_block_size': 'is not a block size',
    'kubeadm_master_ignore_preflight_errors': 'must be a list of kubeadm preflight check names',
    'kubeadm_worker_ignore_preflight_errors': 'must be a list of kubeadm preflight check names',
}


@pytest.mark.parametrize('role,entry,name,details',
                         [pytest.param(*item, id='%s:%s:%s' % item[:3]) for item in spec_rules()])
def test_validation_refuses_what_the_argument_spec_refuses(role, entry, name, details):
    if role in INTERNAL_ROLES:
        # Inputs of the collection's own tasks (tasks_from), never set in an inventory.
        assert name.startswith(role + '_')
        return
    if name == 'haproxy_keepalived_auth_pass':
        # Required on kube_lb hosts: the VRRP password rule reports it missing.
        data = ha()
        data['settings']['haproxy_keepalived_auth_pass_length'] = 0
        assert any(problem.startswith('haproxy_keepalived_auth_pass:') for problem in inventory_problems(data))
        return
    if details.get('required') and details.get('type', 'str') == 'str' and 'choices' not in details:
        assert name in REQUIRED_PER_RUN, '%s is required by %s:%s and not checked by validation' % (name, role, entry)
        return
    assert name in _options(), '%s is not read by validation' % name
    spec = _options()[name][1]
    bad = _bad_value(spec)
    if name in DEDICATED_SPEC_CASES:
        found = problems(single, settings={name: bad}, values={name: bad})
        assert any(DEDICATED_SPEC_CASES[name] in problem for problem in found), found
        return
    found = problems(single, values={name: bad})
    assert any('%s: %r is refused by the role %s' % (name, bad, role) in problem for problem in found), found


def test_a_value_only_one_group_sets_is_reported_with_its_host():
    found = problems(ha, host_values={'master02': {'haproxy_keepalived_priority': 300}})
    assert found == ['kube_control_plane host master02: haproxy_keepalived_priority: 300 is out of range '
                     '\u2014 use 1 to 254 (keepalived refuses others)']
