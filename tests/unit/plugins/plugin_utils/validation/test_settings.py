"""Runtime, registries and scalar settings (plugins/plugin_utils/validation/settings.py)."""

import pytest
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.plugin_utils.validation.inventories import (
    case_ids,
    check_case,
    ha,
    problems_of,
    set_value,
    single,
)

# (name, base, mutation, substrings every problem must contain, number of problems; 0: at least one)
CASES = [
    ('unknown runtime', single, set_value(['settings', 'cluster_container_runtime'], 'cri-o'),
     ['cluster_container_runtime', "'cri-o'"], 1),
    ('runtime not in the runtime table', single, set_value(['settings', 'cluster_supported_runtimes'], ['containerd']),
     ['cluster_container_runtime', "'docker'", 'use one of containerd'], 1),
    ('master preflight errors all', single, set_value(['settings', 'kubeadm_master_ignore_preflight_errors'], ['All']),
     ['kubeadm_master_ignore_preflight_errors', '"all"'], 1),
    ('worker preflight errors all', single,
     set_value(['settings', 'kubeadm_worker_ignore_preflight_errors'], ['Swap', 'all']),
     ['kubeadm_worker_ignore_preflight_errors', '"all"'], 1),
    ('worker preflight errors a string', single,
     set_value(['settings', 'kubeadm_worker_ignore_preflight_errors'], 'Swap'),
     ['kubeadm_worker_ignore_preflight_errors', 'must be a list'], 1),
    ('unknown runtime on one host', single, set_value(['hosts', 'k8s-worker2', 'cluster_container_runtime'], 'crio'),
     ['kube_workers host k8s-worker2: cluster_container_runtime'], 1),
    ('empty image repository', single, set_value(['settings', 'cluster_image_repository'], ''),
     ['cluster_image_repository', 'empty'], 1),
    ('image repository with scheme', single,
     set_value(['settings', 'cluster_image_repository'], 'https://registry.k8s.io'),
     ['cluster_image_repository', 'scheme', "'registry.k8s.io'"], 1),
    ('mirrors as docker list', single, set_value(['settings', 'cluster_registry_mirrors'], ['https://mirror.example']),
     ['cluster_registry_mirrors', 'mapping', 'got list'], 1),
    ('mirror value a string', single,
     set_value(['settings', 'cluster_registry_mirrors'], {'docker.io': 'https://mirror.example'}),
     ["cluster_registry_mirrors['docker.io']", 'list of URLs'], 1),
    ('mirror without scheme', single,
     set_value(['settings', 'cluster_registry_mirrors'], {'docker.io': ['mirror.example']}),
     ["cluster_registry_mirrors['docker.io']", 'http(s) URL'], 1),
    ('mirror key with scheme', single,
     set_value(['settings', 'cluster_registry_mirrors'], {'https://docker.io': ['https://mirror.example']}),
     ['cluster_registry_mirrors', 'not a registry host'], 1),
    ('insecure registries a string', single,
     set_value(['settings', 'cluster_insecure_registries'], '192.168.1.5:5000'),
     ['cluster_insecure_registries', 'must be a list'], 1),
    ('insecure registry with scheme', single,
     set_value(['settings', 'cluster_insecure_registries'], ['http://192.168.1.5:5000']),
     ['cluster_insecure_registries', 'host[:port]'], 1),
    ('dns domain upper case', single, set_value(['settings', 'cluster_dns_domain'], 'Cluster.Local'),
     ['cluster_dns_domain', 'lowercase DNS name'], 1),
    ('dns domain trailing dot', single, set_value(['settings', 'cluster_dns_domain'], 'cluster.local.'),
     ['cluster_dns_domain'], 1),
    ('fail cgroup v1 not boolean', single, set_value(['settings', 'cluster_fail_cgroup_v1'], 'maybe'),
     ['cluster_fail_cgroup_v1', 'not a boolean'], 1),
    ('endpoint port out of range', ha, set_value(['settings', 'cluster_control_plane_endpoint_port'], 70000),
     ['cluster_control_plane_endpoint_port', 'not a TCP port'], 1),
    ('bind port not a number', single, set_value(['settings', 'cluster_apiserver_bind_port'], 'https'),
     ['cluster_apiserver_bind_port', 'not a TCP port'], 0),
    ('bind port boolean', ha, set_value(['settings', 'cluster_apiserver_bind_port'], True),
     ['cluster_apiserver_bind_port', 'not a TCP port'], 1),
]


@pytest.mark.parametrize('name,base,mutate,expected,count', CASES, ids=case_ids(CASES))
def test_each_check(name, base, mutate, expected, count):
    check_case(base, mutate, expected, count)


def test_shared_bad_value_is_reported_once_without_host():
    data = single()
    data['settings']['cluster_container_runtime'] = 'cri-o'
    for host in data['hosts'].values():
        host['cluster_container_runtime'] = 'cri-o'  # group_vars/all reaches every host too
    problems = problems_of(data)
    assert len(problems) == 1
    assert problems[0].startswith('cluster_container_runtime:')
