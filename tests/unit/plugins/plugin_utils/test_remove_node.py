"""plugins/plugin_utils/remove_node.py: the decision table of playbooks/remove_node.yml.

Fed with the lab's HA shapes: kubectl get nodes (cp3 NotReady), etcdctl member list and endpoint health --cluster.
"""

import json

import pytest
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.remove_node import RemoveNodeError, removal_plan
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import read_fixture

MEMBERS = read_fixture('etcdctl-3.6-member-list-json-reconstructed.txt')
HEALTH = read_fixture('etcdctl-3.6-endpoint-health-cluster-json-reconstructed.txt')
ALL_HEALTHY = json.dumps([{'endpoint': 'https://192.168.77.2%d:2379' % n, 'health': True, 'took': '9ms'}
                          for n in (1, 2, 3)])
NODES = json.loads(read_fixture('kubectl-1.34-get-nodes-json-reconstructed.json'))['items']
ADDRESSES = {'cp1': '192.168.77.21', 'cp2': '192.168.77.22', 'cp3': '192.168.77.23', 'w1': '192.168.77.24',
             'w2': '192.168.77.25'}
HA = {'control_planes': ['cp1', 'cp2', 'cp3'], 'workers': ['w1', 'w2'], 'lb': [], 'hosts': list(ADDRESSES),
      'addresses': ADDRESSES}


def plan(node, inventory=None, **kwargs):
    arguments = {'nodes': NODES, 'members': MEMBERS, 'health': ALL_HEALTHY, 'reachable': True, 'via': 'cp1',
                 'endpoint_host': '192.168.77.100'}
    arguments.update(kwargs)
    return removal_plan(node, inventory or HA, **arguments)


def without(inventory, host):
    result = {key: [entry for entry in value if entry != host]
              for key, value in inventory.items() if key != 'addresses'}
    result['addresses'] = {name: address for name, address in inventory['addresses'].items() if name != host}
    return result


def steps(result):
    return {key for key in ('drain', 'remove_member', 'delete_node', 'reset', 'backends') if result[key]}


def test_a_ready_worker_is_drained_reset_and_deleted():
    result = plan('w2')
    assert result['refusals'] == []
    assert steps(result) == {'drain', 'delete_node', 'reset'}
    assert result['control_plane'] is False and result['member'] is None and result['quorum'] is None
    assert result['lines'][0] == 'drain w2 on cp1 (PodDisruptionBudgets respected)'
    assert result['lines'][-2:] == ['delete Node w2', '/etc/hosts of the other nodes without w2']


def test_a_worker_that_just_died_is_not_drained_while_its_node_still_reads_ready():
    # Killed seconds ago: the Node says Ready until the node monitor's grace period runs out, but a drain
    # would wait for pods whose kubelet is gone.
    result = plan('w2', reachable=False)
    assert result['refusals'] == []
    assert steps(result) == {'delete_node'}
    assert result['lines'][0] == ('no drain: w2 does not answer (its Node still reads Ready); its pods are deleted '
                                  'with the Node and started elsewhere')
    assert any(line.startswith('w2 does not answer: not reset') for line in result['lines'])


def test_a_worker_is_removed_even_when_etcd_cannot_be_read():
    result = plan('w2', members=None, health=None, etcd_error='no running etcd container')
    assert result['refusals'] == [] and steps(result) == {'drain', 'delete_node', 'reset'}


def test_a_dead_control_plane_of_three_is_removed_when_forced_even():
    result = plan('cp3', health=HEALTH, reachable=False, force_even=True,
                  inventory=dict(HA, lb=['cp1', 'cp2']))
    assert result['refusals'] == []
    assert steps(result) == {'remove_member', 'delete_node', 'backends'}
    assert result['member']['id'] == 'ec5ddc2ac3e58143'
    assert result['lines'][0].startswith('no drain: cp3 (Ready=Unknown, NodeStatusUnknown: Kubelet stopped posting')
    assert 'haproxy backends without cp3 on cp1, cp2, one at a time (reload)' in result['lines']
    assert ('remove etcd member cp3 (ec5ddc2ac3e58143, https://192.168.77.23:2380) on cp1: 2 members left, 2 healthy, '
            'quorum 2') in result['lines']
    assert any(line.startswith('cp3 does not answer: not reset') for line in result['lines'])


def test_an_even_count_is_refused_without_the_switch():
    result = plan('cp3', health=HEALTH, reachable=False)
    assert result['refusals'] == [
        'kubeadm_remove_node=cp3: removing cp3 would leave 2 etcd members: an even count survives no more failures '
        'than one member less (0 of 2 may fail) and validate.yml refuses it. Add a control plane first, or remove '
        'anyway with -e kubeadm_remove_force_even=true']
    assert steps(result) == set()


def test_a_removal_below_quorum_is_refused():
    result = plan('cp2', health=HEALTH, force_even=True)
    assert len(result['refusals']) == 1
    assert result['refusals'][0].startswith('kubeadm_remove_node=cp2: removing cp2 would leave 1 healthy of 2 '
                                            'etcd members')
    assert 'Bring the unhealthy members back first' in result['refusals'][0]


def test_the_only_control_plane_is_left_to_reset_yml():
    single = {'control_planes': ['cp1'], 'workers': ['w1'], 'lb': [], 'hosts': ['cp1', 'w1'], 'addresses': {}}
    result = plan('cp1', single, via='')
    assert result['refusals'] == ['kubeadm_remove_node=cp1: cp1 is the only control plane: removing it is removing the '
                                  'cluster; run playbooks/reset.yml (docs/operations.md, "Reset") instead']


def test_the_control_plane_whose_address_is_the_endpoint_is_refused():
    result = plan('cp1', endpoint_host='192.168.77.21', via='cp2', force_even=True)
    assert any("the cluster endpoint 192.168.77.21 is cp1's own address" in refusal for refusal in result['refusals'])


def test_no_surviving_control_plane_is_refused_with_the_reasons():
    result = plan('cp3', via='', via_problems=['cp1: unreachable', 'cp2: kubectl get nodes failed (timeout)'])
    assert result['refusals'] == ['kubeadm_remove_node=cp3: no other control plane answers, and every step runs '
                                  'kubectl (and etcdctl) on one: cp1: unreachable; cp2: kubectl get nodes failed '
                                  '(timeout). Bring one back, then run again']


def test_a_control_plane_needs_the_etcd_members():
    result = plan('cp3', members='', etcd_error='cp1: no running etcd container', force_even=True)
    assert result['refusals'] == ['kubeadm_remove_node=cp3: the etcd members could not be read on cp1 (cp1: no running '
                                  'etcd container): a control plane is removed only when etcd can be asked whether the '
                                  'rest keeps its quorum']
    result = plan('cp3', health='Error: unhealthy cluster', force_even=True)
    assert result['refusals'][0].startswith('kubeadm_remove_node=cp3: etcd on cp1 did not say which members are '
                                            'healthy')


def test_a_kube_lb_host_is_refused():
    result = plan('cp2', dict(HA, lb=['cp1', 'cp2']), force_even=True)
    assert result['refusals'][0].startswith('kubeadm_remove_node=cp2: cp2 is also a load balancer (kube_lb)')


def test_a_host_of_no_node_group_is_refused():
    result = plan('lb9', dict(HA, hosts=HA['hosts'] + ['lb9']))
    assert result['refusals'][0].startswith('kubeadm_remove_node=lb9: lb9 is in the inventory but in neither')


def test_an_unset_name_is_refused():
    assert plan('  ')['refusals'] == ['kubeadm_remove_node is not set: name the node to remove, -e kubeadm_remove_node='
                                      '<inventory hostname> (nodes: cp1, cp2, cp3, w1, w2)']


def test_gone_from_inventory_and_cluster_is_already_removed():
    nodes = [item for item in NODES if item['metadata']['name'] != 'w2']
    result = plan('w2', without(HA, 'w2'), nodes=nodes)
    assert result['refusals'] == [] and result['already_removed'] and steps(result) == set()
    assert result['lines'] == ['w2 is neither in the inventory nor a Node of the cluster nor an etcd member: already '
                               'removed, nothing to do (the inventory has the nodes cp1, cp2, cp3, w1)']


def test_still_in_the_cluster_but_not_in_the_inventory_is_refused():
    result = plan('w2', without(HA, 'w2'))
    assert result['refusals'] == ['kubeadm_remove_node=w2: w2 is still a Node of the cluster but not in the inventory, '
                                  'so it can be neither reached nor reset: put it back under kube_workers as it was '
                                  '(ansible_host, cluster_node_ip) and run again; take it out of the inventory once '
                                  'this playbook has finished']
    nodes = [item for item in NODES if item['metadata']['name'] != 'cp3']
    result = plan('cp3', without(HA, 'cp3'), nodes=nodes)
    assert 'still an etcd member of the cluster' in result['refusals'][0]
    assert 'under kube_control_plane' in result['refusals'][0]


def test_a_rerun_after_the_removal_changes_nothing():
    nodes = [item for item in NODES if item['metadata']['name'] != 'cp3']
    members = json.loads(MEMBERS)
    members['members'] = [entry for entry in members['members'] if entry['name'] != 'cp3']
    result = plan('cp3', nodes=nodes, members=json.dumps(members), reachable=True,
                  inventory=dict(HA, lb=['cp1', 'cp2']))
    assert result['refusals'] == [] and result['already_removed']
    # The reset and the backends are written again: both change nothing on a node and load balancers already without it.
    assert steps(result) == {'reset', 'backends'}
    assert result['lines'][0] == 'cp3 is already removed from the cluster (no Node, no etcd member)'


def test_an_interrupted_removal_resumes_after_the_member():
    members = json.loads(MEMBERS)
    members['members'] = [entry for entry in members['members'] if entry['name'] != 'cp3']
    result = plan('cp3', members=json.dumps(members))
    assert result['refusals'] == []
    assert steps(result) == {'delete_node', 'reset', 'backends'}
    assert 'no etcd member of cp3 left (removed before)' in result['lines']


def test_an_unstarted_member_is_found_by_its_peer_address():
    members = json.loads(MEMBERS)
    members['members'].append({'ID': 4096, 'peerURLs': ['https://192.168.77.26:2380']})
    inventory = dict(HA, control_planes=HA['control_planes'] + ['cp4'], hosts=HA['hosts'] + ['cp4'],
                     addresses=dict(ADDRESSES, cp4='192.168.77.26'))
    result = plan('cp4', inventory, members=json.dumps(members), reachable=False)
    assert result['member']['id'] == '1000' and result['refusals'] == []
    assert result['quorum']['voters_after'] == 3


def test_the_inventory_must_be_a_dict():
    with pytest.raises(RemoveNodeError):
        removal_plan('w2', ['cp1'])
