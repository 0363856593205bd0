"""Networks and node addresses (plugins/plugin_utils/validation/networks.py)."""

import pytest
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.plugin_utils.validation.inventories import (
    case_ids,
    check_case,
    ha,
    problems_of,
    set_value,
    single,
)


def _calico(pool, block):
    def mutate(data):
        data['settings'].update({'calico_ipv4pool_cidr': pool, 'calico_ipv4pool_block_size': block})
    return mutate


# (name, base, mutation, substrings every problem must contain, number of problems; 0: at least one)
CASES = [
    ('node ip missing', single, set_value(['hosts', 'k8s-worker2'], {}),
     ['host k8s-worker2', 'cluster_node_ip: not set', 'validate.yml gathers no facts'], 1),
    ('node ip missing with facts but no route', single,
     set_value(['hosts', 'k8s-worker2'], {'facts_gathered': True, 'default_ipv4': ''}),
     ['host k8s-worker2', 'cluster_node_ip', 'no default IPv4 route'], 1),
    ('node ip malformed', single, set_value(['hosts', 'k8s-worker1', 'cluster_node_ip'], '192.168.1.300'),
     ['host k8s-worker1', 'cluster_node_ip', 'not an IP address'], 1),
    ('node ip with prefix', single, set_value(['hosts', 'k8s-worker1', 'cluster_node_ip'], '192.168.1.12/24'),
     ['cluster_node_ip', 'drop the prefix length'], 1),
    ('node ip loopback', single, set_value(['hosts', 'k8s-worker1', 'cluster_node_ip'], '127.0.0.1'),
     ['host k8s-worker1', 'cluster_node_ip', 'loopback'], 1),
    ('duplicate node ip', single, set_value(['hosts', 'k8s-worker2', 'cluster_node_ip'], '192.168.1.12'),
     ['cluster_node_ip', '192.168.1.12', 'k8s-worker1, k8s-worker2'], 1),
    ('node outside node subnet', ha, set_value(['hosts', 'worker02', 'cluster_node_ip'], '192.168.5.14'),
     ['host worker02', 'cluster_node_ip', 'outside cluster_node_subnet'], 1),
    ('node subnet malformed', ha, set_value(['settings', 'cluster_node_subnet'], '192.168.0.0/33'),
     ['cluster_node_subnet', 'not a CIDR'], 1),
    ('pod subnet malformed', single, set_value(['settings', 'cluster_pod_subnet'], '10.244.0.0/40'),
     ['cluster_pod_subnet', 'not a CIDR'], 1),
    ('pod subnet without prefix', single, set_value(['settings', 'cluster_pod_subnet'], '10.244.0.0'),
     ['cluster_pod_subnet', 'no prefix length'], 1),
    ('pod subnet host bits', single, set_value(['settings', 'cluster_pod_subnet'], '10.244.1.0/16'),
     ['cluster_pod_subnet', 'host bits', '10.244.0.0/16'], 1),
    ('pod subnet dual stack', single, set_value(['settings', 'cluster_pod_subnet'], '10.244.0.0/16,fd00:10::/56'),
     ['cluster_pod_subnet', 'dual-stack'], 1),
    ('pod overlaps service', single, set_value(['settings', 'cluster_pod_subnet'], '10.96.0.0/16'),
     ['cluster_pod_subnet', 'overlaps cluster_service_subnet'], 1),
    ('service contains node ips', single, set_value(['settings', 'cluster_service_subnet'], '192.168.0.0/16'),
     ['cluster_node_ip', 'inside cluster_service_subnet'], 3),
    ('pod overlaps node subnet', ha, set_value(['settings', 'cluster_pod_subnet'], '192.168.0.0/16'),
     ['cluster_pod_subnet', '192.168.0.0/16'], 0),
    ('pod overlaps docker bridge', single, set_value(['settings', 'cluster_pod_subnet'], '172.16.0.0/12'),
     ['cluster_pod_subnet', "Docker's bridge"], 1),
    ('pod subnet too small', single, set_value(['settings', 'cluster_pod_subnet'], '10.244.0.0/25'),
     ['cluster_pod_subnet', 'smaller than the /24'], 1),
    ('pod subnet too few blocks', single, set_value(['settings', 'cluster_pod_subnet'], '10.244.0.0/23'),
     ['cluster_pod_subnet', 'holds 2 node blocks', '3 nodes'], 1),
    ('service too large', single, set_value(['settings', 'cluster_service_subnet'], '100.64.0.0/10'),
     ['cluster_service_subnet', 'too large'], 1),
    ('service too small', single, set_value(['settings', 'cluster_service_subnet'], '10.96.0.0/29'),
     ['cluster_service_subnet', 'too small'], 1),
    ('families differ', single, set_value(['settings', 'cluster_pod_subnet'], 'fd00:10::/56'),
     ['cluster_pod_subnet', 'IP famil'], 0),
    ('calico pool outside pod subnet', single, set_value(['settings', 'calico_ipv4pool_cidr'], '192.168.128.0/17'),
     ['calico_ipv4pool_cidr', 'not inside cluster_pod_subnet'], 1),
    ('calico pool malformed', single, set_value(['settings', 'calico_ipv4pool_cidr'], '10.244.0.0/16/1'),
     ['calico_ipv4pool_cidr', 'not a CIDR'], 1),
    ('calico block size out of range', single, set_value(['settings', 'calico_ipv4pool_block_size'], 33),
     ['calico_ipv4pool_block_size', 'not a block size'], 1),
    ('calico block larger than the pool', single, _calico('10.244.0.0/22', 20),
     ['calico_ipv4pool_block_size', '/20 blocks do not fit in the pool 10.244.0.0/22'], 1),
]


@pytest.mark.parametrize('name,base,mutate,expected,count', CASES, ids=case_ids(CASES))
def test_each_check(name, base, mutate, expected, count):
    check_case(base, mutate, expected, count)


def test_missing_node_ip_is_skipped_when_not_required():
    data = single()
    data['hosts']['k8s-worker2'] = {}
    data['require_node_ip'] = False
    assert problems_of(data) == []


def test_node_ip_from_facts_is_checked():
    data = single()
    data['hosts']['k8s-worker2'] = {'facts_gathered': True, 'default_ipv4': '192.168.1.12'}
    assert problems_of(data) == [
        'cluster_node_ip: 192.168.1.12 is used by several hosts (k8s-worker1, k8s-worker2) \u2014 every host needs '
        'its own address']


def test_containerd_allows_docker_bridge_range():
    data = single()
    data['settings'].update({'cluster_container_runtime': 'containerd', 'cluster_pod_subnet': '172.16.0.0/12'})
    assert problems_of(data) == []
