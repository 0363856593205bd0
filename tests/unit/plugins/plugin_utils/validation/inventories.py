"""Inventories for the tests of plugins/plugin_utils/validation: a good single and HA cluster, and mutations.

Every inventory rule is tested through ``inventory_problems``: a good inventory passes, and one mutation
per rule must yield exactly the expected problem(s) and nothing else.
"""

import copy

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.inventory import inventory_problems

DEFAULTS = {
    'cluster_kubernetes_version': '1.34.4',
    'cluster_container_runtime': 'docker',
    'cluster_image_repository': 'registry.k8s.io',
    'cluster_pod_subnet': '10.244.0.0/16',
    'cluster_service_subnet': '10.96.0.0/12',
    'cluster_dns_domain': 'cluster.local',
    'cluster_control_plane_endpoint_address': '',
    'cluster_control_plane_endpoint_port': 6443,
    'cluster_apiserver_bind_port': 6443,
    'cluster_insecure_registries': [],
    'cluster_registry_mirrors': {},
    'cluster_fail_cgroup_v1': True,
    'cluster_node_subnet': '',
    'calico_ipv4pool_cidr': '',
    'cluster_supported_kubernetes_minors': ['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35'],
    'cluster_supported_runtimes': ['docker', 'containerd'],
    'kubeadm_master_ignore_preflight_errors': [],
    'kubeadm_worker_ignore_preflight_errors': [],
}


def single():
    """The tutorials' lab: 1 control plane + 2 workers."""
    return {
        'settings': copy.deepcopy(DEFAULTS),
        'groups': {
            'all': ['k8s-master', 'k8s-worker1', 'k8s-worker2'],
            'ungrouped': [],
            'kube_control_plane': ['k8s-master'],
            'kube_workers': ['k8s-worker1', 'k8s-worker2'],
        },
        'hosts': {
            'k8s-master': {'cluster_node_ip': '192.168.1.11'},
            'k8s-worker1': {'cluster_node_ip': '192.168.1.12'},
            'k8s-worker2': {'cluster_node_ip': '192.168.1.13'},
        },
    }


def ha():
    """The tutorials' HA cluster: 3 control planes, 2 workers, haproxy + keepalived on two masters."""
    data = {
        'settings': copy.deepcopy(DEFAULTS),
        'groups': {
            'all': ['master01', 'master02', 'master03', 'worker01', 'worker02'],
            'kube_control_plane': ['master01', 'master02', 'master03'],
            'kube_workers': ['worker01', 'worker02'],
            'kube_lb': ['master01', 'master02'],
        },
        'hosts': {},
    }
    for index, host in enumerate(data['groups']['all']):
        data['hosts'][host] = {'cluster_node_ip': '192.168.0.%d' % (10 + index)}
    data['settings'].update({
        'cluster_control_plane_endpoint_address': '192.168.0.100',
        'cluster_control_plane_endpoint_port': 16443,
        'cluster_node_subnet': '192.168.0.0/24',
        'haproxy_keepalived_auth_pass_length': 8,
    })
    return data


def problems_of(data):
    return inventory_problems(data)


def set_value(path, value):
    """Mutation: set data[path[0]][path[1]]... to ``value``."""
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
    return mutate


def rename(old, new):
    """Mutation: rename a host everywhere."""
    def mutate(data):
        for members in data['groups'].values():
            members[:] = [new if host == old else host for host in members]
        data['hosts'][new] = data['hosts'].pop(old)
    return mutate


def check_case(base, mutate, expected, count):
    """Mutate ``base()``; expect ``count`` problems (0: at least one), each containing every ``expected`` text."""
    data = base()
    mutate(data)
    problems = problems_of(data)
    if count:
        assert len(problems) == count, problems
    else:
        assert problems
    for problem in problems:
        for text in expected:
            assert text in problem, (text, problems)


def case_ids(cases):
    return [case[0] for case in cases]
