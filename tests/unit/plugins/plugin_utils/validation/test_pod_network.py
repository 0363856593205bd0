"""plugins/plugin_utils/validation/pod_network.py on the IP pool recorded from the lab's Calico."""

import copy
import json
import os

import pytest
import yaml
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.pod_network import (
    PoolInputError,
    pool_problems,
)
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import fixture_path

ROLES = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', '..', 'roles')


def _role_table():
    with open(os.path.join(ROLES, 'calico', 'vars', 'main.yml')) as handle:
        return yaml.safe_load(handle)['calico_encapsulation_settings']


# The table the calico role passes to the filter, read from the role.
ENCAPSULATIONS = _role_table()


@pytest.fixture()
def pool():
    with open(fixture_path('calico-3.31-ippool-vxlan-recorded.json')) as handle:
        return json.load(handle)


def problems(live, encapsulation='VXLAN', cidr='10.244.0.0/16', block_size=0):
    return pool_problems(live, encapsulation, ENCAPSULATIONS, cidr, block_size, host='cp1')


def test_the_settings_the_pool_was_made_with_pass(pool):
    assert problems(pool) == []
    # The same network written differently is the same pool.
    assert problems(pool, cidr='10.244.0.1/16') == []
    assert problems(pool, block_size=26) == []


def test_no_pool_yet_nothing_to_compare():
    assert problems({}) == []
    assert problems(None) == []


def test_changed_encapsulation_names_the_running_one(pool):
    found = problems(pool, encapsulation='IPIP')
    assert len(found) == 1
    assert found[0].startswith('calico_encapsulation: IPIP, but the IP pool default-ipv4-ippool on cp1 has '
                               'ipipMode Never and vxlanMode Always (calico_encapsulation: VXLAN)')
    assert 'set calico_encapsulation back to VXLAN' in found[0]


def test_cross_subnet_is_a_different_mode(pool):
    assert len(problems(pool, encapsulation='VXLANCrossSubnet')) == 1


def test_modes_set_outside_the_collection(pool):
    changed = copy.deepcopy(pool)
    changed['spec']['ipipMode'] = 'CrossSubnet'
    found = problems(changed)
    assert len(found) == 1 and '(set outside this collection)' in found[0]


def test_missing_modes_are_never(pool):
    changed = copy.deepcopy(pool)
    del changed['spec']['ipipMode']
    assert problems(changed) == []


def test_changed_cidr(pool):
    found = problems(pool, cidr='10.96.0.0/12')
    assert len(found) == 1 and found[0].startswith('calico_ipv4pool_cidr: 10.96.0.0/12, but the IP pool')
    assert 'set calico_ipv4pool_cidr back to 10.244.0.0/16' in found[0]


def test_block_size(pool):
    found = problems(pool, block_size=24)
    assert len(found) == 1 and 'uses blocks of /26' in found[0]
    changed = copy.deepcopy(pool)
    changed['spec']['blockSize'] = 24
    found = problems(changed)
    assert len(found) == 1 and found[0].startswith("calico_ipv4pool_block_size: 0 (Calico's /26), but")


def test_every_difference_is_reported_at_once(pool):
    assert len(problems(pool, encapsulation='None', cidr='192.168.0.0/16', block_size=28)) == 3


def test_bad_input(pool):
    with pytest.raises(PoolInputError, match='unknown encapsulation'):
        problems(pool, encapsulation='GRE')
    with pytest.raises(PoolInputError, match='IPPool object'):
        problems({'kind': 'IPPool'})
