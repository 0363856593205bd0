"""cluster_kubernetes_version (plugins/plugin_utils/validation/versions.py)."""

import pytest
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.versions import (
    parse_version,
    version_problems,
)
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.plugin_utils.validation.inventories import (
    case_ids,
    check_case,
    problems_of,
    set_value,
    single,
)

CASES = [
    ('version with v', single, set_value(['settings', 'cluster_kubernetes_version'], 'v1.34.4'),
     ['cluster_kubernetes_version', "leading 'v'", "'1.34.4'"], 1),
    ('version without patch', single, set_value(['settings', 'cluster_kubernetes_version'], '1.34'),
     ['cluster_kubernetes_version', 'MAJOR.MINOR.PATCH'], 1),
    ('version as float', single, set_value(['settings', 'cluster_kubernetes_version'], 1.3),
     ['cluster_kubernetes_version', 'is a number'], 1),
    ('version too old', single, set_value(['settings', 'cluster_kubernetes_version'], '1.27.16'),
     ['cluster_kubernetes_version', 'not supported', '1.28'], 1),
    ('version too new', single, set_value(['settings', 'cluster_kubernetes_version'], '1.36.0'),
     ['cluster_kubernetes_version', 'not supported'], 1),
]


@pytest.mark.parametrize('name,base,mutate,expected,count', CASES, ids=case_ids(CASES))
def test_each_check(name, base, mutate, expected, count):
    check_case(base, mutate, expected, count)


def test_supported_minors_come_from_the_settings():
    data = single()
    data['settings']['cluster_supported_kubernetes_minors'] = ['1.33']
    assert problems_of(data) == ['cluster_kubernetes_version: 1.34.4 is not supported \u2014 this collection '
                                 'supports Kubernetes 1.33']
    # No copy of the list lives in the plugin: without it, no version is supported.
    del data['settings']['cluster_supported_kubernetes_minors']
    assert [problem.split(' \u2014')[0] for problem in problems_of(data)] == [
        'cluster_kubernetes_version: 1.34.4 is not supported']


@pytest.mark.parametrize('value,parsed', [
    ('1.34.4', (1, 34, 4)), ('v1.34.4', None), ('1.34', None), ('1.34.4-rc.1', None), (1.34, None), (None, None),
])
def test_parse_version(value, parsed):
    assert parse_version(value) == parsed


def test_version_problems_alone():
    assert version_problems('1.35.0', ['1.35']) == []
    assert version_problems(True, ['1.35']) == ["cluster_kubernetes_version: True is not a version \u2014 write it "
                                                "like '1.34.4'"]
