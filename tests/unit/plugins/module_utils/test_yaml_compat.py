import json
import os

import pytest
import yaml
from ansible_collections.duoshou.kubeadm.plugins.module_utils import yaml_compat
from ansible_collections.duoshou.kubeadm.plugins.module_utils.yaml_compat import YamlError, fallback_load, load
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import ADMIN_KUBECONFIG, FIXTURES, read_fixture


def cluster_configurations():
    texts = []
    for name in sorted(os.listdir(FIXTURES)):
        if name.endswith('-kubeadm-config-configmap-reconstructed.json') or name.endswith('-configmap-recorded.json'):
            texts.append(pytest.param(json.loads(read_fixture(name))['data']['ClusterConfiguration'], id=name))
    return texts


HANDWRITTEN = '''# comment line
---
top: value  # trailing comment
quoted: "a # not a comment"
single: 'it''s'
url: http://example.com/#anchor
empty:
nulls: ~
flag: true
count: 3
version: "1.34"
nested:
    deeper:
        - one
        - two: 2
          three: 3
        -
          four: 4
    list_same_indent:
    - x
    - y
flow: [a, b]
literal: |
  line one
    indented
  line three
folded: >-
  folded
  text
plain: continues
  on the next line
'''


@pytest.mark.parametrize('text', cluster_configurations() + [
    pytest.param(ADMIN_KUBECONFIG, id='kubeconfig'),
    pytest.param(HANDWRITTEN, id='handwritten'),
    pytest.param(read_fixture('kubelet-1.34-config-reconstructed.txt'), id='kubelet-config'),
])
def test_fallback_matches_pyyaml(text):
    assert fallback_load(text) == yaml.safe_load(text)


def test_cluster_configuration_fixtures_exist():
    assert len(cluster_configurations()) >= 2


def test_fallback_values():
    data = fallback_load(HANDWRITTEN)
    assert data['quoted'] == 'a # not a comment'
    assert data['single'] == "it's"
    assert data['version'] == '1.34'
    assert data['nested']['deeper'][1] == {'two': 2, 'three': 3}
    assert data['literal'] == 'line one\n  indented\nline three\n'


def test_load_uses_pyyaml_when_present():
    assert load('a: 1') == ({'a': 1}, 'pyyaml')


def test_load_falls_back_without_pyyaml(monkeypatch):
    monkeypatch.setattr(yaml_compat, 'HAS_PYYAML', False)
    monkeypatch.setattr(yaml_compat, '_yaml', None)
    assert load('a: 1\nb:\n- c\n') == ({'a': 1, 'b': ['c']}, 'fallback')


def test_force_fallback():
    assert load('a: b', force_fallback=True) == ({'a': 'b'}, 'fallback')


def test_empty_documents():
    assert fallback_load('') is None
    assert fallback_load('# only a comment\n') is None


@pytest.mark.parametrize('text', [
    'a: b\n  c: d\n',
    'a:\n\tb: c\n',
    'a: "unterminated\n',
    'a: {b: c}\n',
    'a: b\nnot a mapping line\n',
])
def test_fallback_rejects(text):
    with pytest.raises(YamlError):
        fallback_load(text)


def test_pyyaml_error_is_wrapped():
    with pytest.raises(YamlError, match='invalid YAML'):
        load('a: [unclosed')
