"""Unit tests for the cluster_problems and cluster_preflight_problems filters."""

import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.duoshou.kubeadm.plugins.filter import cluster_problems as plugin

FILTER_DIR = os.path.dirname(plugin.__file__)

GOOD = {
    'settings': {'cluster_kubernetes_version': '1.34.4', 'cluster_container_runtime': 'containerd',
                 'cluster_image_repository': 'registry.k8s.io', 'cluster_pod_subnet': '10.244.0.0/16',
                 'cluster_service_subnet': '10.96.0.0/12', 'cluster_dns_domain': 'cluster.local',
                 'cluster_control_plane_endpoint_address': '', 'cluster_control_plane_endpoint_port': 6443,
                 'cluster_apiserver_bind_port': 6443, 'cluster_insecure_registries': [],
                 'cluster_registry_mirrors': {}, 'cluster_fail_cgroup_v1': True,
                 'cluster_supported_kubernetes_minors': ['1.34'],
                 'cluster_supported_runtimes': ['docker', 'containerd']},
    'groups': {'all': ['k8s-master'], 'kube_control_plane': ['k8s-master']},
    'hosts': {'k8s-master': {'cluster_node_ip': '192.168.1.11'}},
}


def test_filters_are_registered():
    filters = plugin.FilterModule().filters()
    assert filters['cluster_problems'] is plugin.cluster_problems
    assert filters['cluster_preflight_problems'] is plugin.cluster_preflight_problems


def test_cluster_problems_passes_a_good_inventory():
    assert plugin.cluster_problems(GOOD) == []


def test_cluster_problems_reports_a_bad_one():
    bad = dict(GOOD, hosts={'k8s-master': {'cluster_node_ip': '192.168.1.300'}})
    problems = plugin.cluster_problems(bad)
    assert len(problems) == 1
    assert problems[0].startswith('kube_control_plane host k8s-master: cluster_node_ip:')


def test_cluster_preflight_problems_returns_problems_and_warnings():
    result = plugin.cluster_preflight_problems({'python_probe': 'python3 3.6', 'controller_ansible_version': '2.19.0'})
    assert sorted(result) == ['problems', 'state', 'warnings']
    assert len(result['problems']) == 1
    assert result['state'] is None


@pytest.mark.parametrize('func', [plugin.cluster_problems, plugin.cluster_preflight_problems])
@pytest.mark.parametrize('value', [None, [], 'text'])
def test_non_dict_input_is_a_filter_error(func, value):
    with pytest.raises(AnsibleFilterError, match='expects a dict'):
        func(value)


@pytest.mark.parametrize('name', ['cluster_problems', 'cluster_preflight_problems'])
def test_each_filter_has_documentation(name):
    with open(os.path.join(FILTER_DIR, name + '.yml'), encoding='utf-8') as handle:
        doc = yaml.safe_load(handle)
    assert doc['DOCUMENTATION']['name'] == name
    assert '_input' in doc['DOCUMENTATION']['options']
    assert doc['EXAMPLES'].strip()
    assert '_value' in doc['RETURN']
