"""Value helpers of the validation (plugins/plugin_utils/validation/base.py)."""

import pytest
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.base import (
    is_dns_subdomain,
    to_bool,
    to_port,
    type_name,
    unique,
)


@pytest.mark.parametrize('value,expected', [
    (6443, 6443), ('16443', 16443), (' 80 ', 80), (0, None), (65536, None), (True, None), ('https', None),
    (None, None), (6443.0, None),
])
def test_to_port(value, expected):
    assert to_port(value) == expected


@pytest.mark.parametrize('name,upper,ok', [
    ('cluster.local', False, True), ('Cluster.local', False, False), ('Api.Example', True, True),
    ('cluster.local.', False, False), ('a' * 64, False, False), ('', False, False), (None, False, False),
])
def test_is_dns_subdomain(name, upper, ok):
    assert is_dns_subdomain(name, allow_upper=upper) is ok


def test_to_bool_and_type_name_read_yaml_values():
    assert [to_bool(v) for v in (True, 'yes', 'On', '1', False, 'no', 'maybe', 1)] == [True] * 4 + [False] * 4
    assert [type_name(v) for v in (True, 'x', 1, 1.5, {}, [], None)] == [
        'boolean', 'string', 'integer', 'number', 'mapping', 'list', 'null']


def test_unique_keeps_the_first_order_of_unhashable_items():
    assert unique([[1], 'a', [1], 'b', 'a']) == [[1], 'a', 'b']
