import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.duoshou.kubeadm.plugins.filter.kubernetes_not_ready import FilterModule, kubernetes_not_ready


def obj(name, ready=None, namespace=None, reason=None, message=None):
    conditions = [{'type': 'MemoryPressure', 'status': 'False'}]
    if ready is not None:
        conditions.append({'type': 'Ready', 'status': ready, 'reason': reason, 'message': message})
    metadata = {'name': name}
    if namespace:
        metadata['namespace'] = namespace
    return {'metadata': metadata, 'status': {'conditions': conditions}}


def test_filter_is_registered():
    assert FilterModule().filters() == {'kubernetes_not_ready': kubernetes_not_ready}


def test_all_ready():
    assert kubernetes_not_ready([obj('cp1', 'True'), obj('w1', 'True')]) == []


def test_names_each_object_that_is_not_ready_with_its_reason():
    items = [
        obj('cp1', 'True'),
        obj('w1', 'False', reason='KubeletNotReady', message='container runtime network not ready'),
        obj('w2', 'Unknown', reason='NodeStatusUnknown'),
        obj('etcd-cp1', None, namespace='kube-system'),
        {'metadata': {'name': 'bare'}},
    ]
    assert kubernetes_not_ready(items) == [
        'w1 (Ready=False, KubeletNotReady: container runtime network not ready)',
        'w2 (Ready=Unknown, NodeStatusUnknown)',
        'kube-system/etcd-cp1 (no Ready condition)',
        'bare (no Ready condition)',
    ]


@pytest.mark.parametrize('value', [None, {'items': []}, 'nodes'])
def test_rejects_other_input(value):
    with pytest.raises(AnsibleFilterError, match='^kubernetes_not_ready: '):
        kubernetes_not_ready(value)
