import json

import pytest
from ansible_collections.duoshou.kubeadm.plugins.modules import kubeadm_facts
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import read_fixture

ALL_BINS = {'kubeadm': '/usr/bin/kubeadm', 'kubelet': '/usr/bin/kubelet', 'kubectl': '/usr/bin/kubectl'}
DOCKER = 'unix:///var/run/cri-dockerd.sock'


def node_json(name='node-1', socket=None):
    annotations = {'node.alpha.kubernetes.io/ttl': '0'}
    if socket:
        annotations['kubeadm.alpha.kubernetes.io/cri-socket'] = socket
    return json.dumps({'kind': 'Node', 'apiVersion': 'v1', 'metadata': {'name': name, 'annotations': annotations}})


@pytest.fixture
def paths(tmp_path, monkeypatch):
    """Point the module's well-known paths into tmp_path; files exist only when a test creates them."""
    mapping = {}
    for key, path in kubeadm_facts.PATHS.items():
        mapping[key] = tmp_path / path.lstrip('/')
        monkeypatch.setitem(kubeadm_facts.PATHS, key, str(mapping[key]))

    def create(*keys, **contents):
        for key in keys:
            contents.setdefault(key, 'apiVersion: v1\n')
        for key, text in contents.items():
            mapping[key].parent.mkdir(parents=True, exist_ok=True)
            mapping[key].write_text(text)
        return mapping

    return create


def versions(runner):
    runner.on(lambda a: a[0] == '/usr/bin/kubeadm' and a[1:] == ['version', '-o', 'short'], out='v1.34.4\n')
    runner.on(lambda a: a[0] == '/usr/bin/kubelet' and a[1:] == ['--version'], out='Kubernetes v1.34.4\n')
    return runner


def node_query(args):
    return args[0] == '/usr/bin/kubectl' and args[-5:-3] == ['get', 'node']


def facts_of(result):
    assert result['changed'] is False
    return result['ansible_facts']['kubeadm']


def test_nothing_installed(module_harness, runner, paths):
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins={})
    assert kind == 'exit'
    assert facts_of(result) == dict(
        kubeadm_version=None, kubelet_version=None, is_control_plane=False, is_joined=False, kubeconfig=None,
        api_reachable=False, api_error=None, cri_socket=None, cri_socket_source=None)
    assert runner.calls == []


def test_binaries_but_not_joined(module_harness, runner, paths):
    kind, result, runner = module_harness(kubeadm_facts.main, {}, versions(runner), bins=ALL_BINS)
    facts = facts_of(result)
    assert facts['kubeadm_version'] == 'v1.34.4' and facts['kubelet_version'] == 'v1.34.4'
    assert facts['is_joined'] is False and facts['api_reachable'] is False
    assert not any(call[0] == '/usr/bin/kubectl' for call in runner.calls)


def test_broken_binaries_give_null(module_harness, runner, paths):
    runner.on(lambda a: True, rc=127, err='exec format error')
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins=ALL_BINS)
    facts = facts_of(result)
    assert facts['kubeadm_version'] is None and facts['kubelet_version'] is None


def test_control_plane_with_api(module_harness, runner, paths, monkeypatch):
    monkeypatch.setattr(kubeadm_facts.socket, 'gethostname', lambda: 'Master01')
    files = paths('admin_conf', 'apiserver_manifest', 'kubelet_conf',
                  kubelet_config=read_fixture('kubelet-1.34-config-reconstructed.txt'))
    versions(runner).on(node_query, out=node_json('master01'))
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins=ALL_BINS)
    assert facts_of(result) == dict(
        kubeadm_version='v1.34.4', kubelet_version='v1.34.4', is_control_plane=True, is_joined=True,
        kubeconfig=str(files['admin_conf']), api_reachable=True, api_error=None,
        cri_socket=DOCKER, cri_socket_source='kubelet_config')
    kubectl = [call for call in runner.calls if call[0] == '/usr/bin/kubectl']
    assert kubectl == [['/usr/bin/kubectl', '--kubeconfig', str(files['admin_conf']), '--request-timeout', '10s',
                        'get', 'node', 'master01', '--output', 'json']]


def test_worker_without_kubectl_reads_the_flags_file(module_harness, runner, paths):
    files = paths('kubelet_conf', kubeadm_flags=read_fixture('kubeadm-1.28-kubeadm-flags-reconstructed.env'))
    kind, result, runner = module_harness(kubeadm_facts.main, {}, versions(runner),
                                          bins={'kubeadm': '/usr/bin/kubeadm', 'kubelet': '/usr/bin/kubelet'})
    facts = facts_of(result)
    assert facts['is_control_plane'] is False and facts['is_joined'] is True
    assert facts['kubeconfig'] == str(files['kubelet_conf'])
    assert facts['api_reachable'] is False and facts['api_error'] == 'kubectl not found; set kubectl_path'
    assert facts['cri_socket'] == 'unix:///run/containerd/containerd.sock'
    assert facts['cri_socket_source'] == 'kubeadm_flags'


def test_worker_with_kubectl_uses_the_kubelet_kubeconfig(module_harness, runner, paths):
    files = paths('kubelet_conf', kubelet_config=read_fixture('kubelet-1.34-config-reconstructed.txt'))
    runner.on(node_query, out=node_json('worker-1'))
    kind, result, runner = module_harness(kubeadm_facts.main, dict(node_name='worker-1'), runner,
                                          bins={'kubectl': '/usr/bin/kubectl'})
    facts = facts_of(result)
    assert facts['api_reachable'] is True and facts['cri_socket_source'] == 'kubelet_config'
    assert runner.calls[0][:3] == ['/usr/bin/kubectl', '--kubeconfig', str(files['kubelet_conf'])]


@pytest.mark.parametrize('config, socket', [
    ('kind: KubeletConfiguration\ncontainerRuntimeEndpoint: "unix:///run/containerd/containerd.sock"\n',
     'unix:///run/containerd/containerd.sock'),
    ("containerRuntimeEndpoint: 'unix:///var/run/cri-dockerd.sock'  # set by kubeadm\n", DOCKER),
])
def test_kubelet_config_quoted_endpoint(module_harness, runner, paths, config, socket):
    paths(kubelet_config=config)
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins={})
    assert facts_of(result)['cri_socket'] == socket


@pytest.mark.parametrize('config', [
    'kind: KubeletConfiguration\ncgroupDriver: systemd\n',
    'containerRuntimeEndpoint: ""\n',
    # Nested keys are not the kubelet's own endpoint.
    'kind: KubeletConfiguration\nsomething:\n  containerRuntimeEndpoint: unix:///nested.sock\n',
])
def test_kubelet_config_without_endpoint_falls_back_to_flags(module_harness, runner, paths, config):
    paths(kubelet_config=config,
          kubeadm_flags='KUBELET_KUBEADM_ARGS="--container-runtime-endpoint unix:///var/run/cri-dockerd.sock"\n')
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins={})
    facts = facts_of(result)
    assert facts['cri_socket'] == DOCKER
    assert facts['cri_socket_source'] == 'kubeadm_flags'


def test_api_not_answering(module_harness, runner, paths):
    paths('admin_conf', 'apiserver_manifest', 'kubelet_conf')
    versions(runner).on(node_query, rc=1,
                        err='The connection to the server 192.168.0.100:16443 was refused - did you specify the right '
                            'host or port?\n')
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins=ALL_BINS)
    facts = facts_of(result)
    assert facts['is_control_plane'] is True
    assert facts['api_reachable'] is False
    assert 'connection to the server 192.168.0.100:16443 was refused' in facts['api_error']
    assert facts['cri_socket'] is None


def test_api_answers_garbage(module_harness, runner, paths):
    paths('kubelet_conf')
    runner.on(node_query, out='<html>proxy error</html>')
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins={'kubectl': '/usr/bin/kubectl'})
    facts = facts_of(result)
    assert facts['api_reachable'] is False and 'invalid JSON' in facts['api_error']


def test_kubectl_missing(module_harness, runner, paths):
    paths('kubelet_conf')
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins={})
    facts = facts_of(result)
    assert facts['api_reachable'] is False and facts['api_error'] == 'kubectl not found; set kubectl_path'
    assert facts['cri_socket'] is None and runner.calls == []


def test_explicit_kubeconfig_missing(module_harness, runner, paths, tmp_path):
    paths('kubelet_conf')
    missing = str(tmp_path / 'missing.conf')
    kind, result, runner = module_harness(kubeadm_facts.main, dict(kubeconfig=missing), runner,
                                          bins={'kubectl': '/usr/bin/kubectl'})
    facts = facts_of(result)
    assert facts['kubeconfig'] is None and missing in facts['api_error'] and runner.calls == []


def test_cri_socket_from_node_annotation(module_harness, runner, paths):
    paths('kubelet_conf')
    runner.on(node_query, out=node_json('node-1', DOCKER))
    kind, result, runner = module_harness(kubeadm_facts.main, dict(node_name='node-1', request_timeout='3s'), runner,
                                          bins={'kubectl': '/usr/bin/kubectl'})
    facts = facts_of(result)
    assert facts['cri_socket'] == DOCKER
    assert facts['cri_socket_source'] == 'node_annotation'
    node_call = runner.ran('node')[0]
    assert node_call[-4:] == ['node', 'node-1', '--output', 'json']
    assert node_call[3:5] == ['--request-timeout', '3s']


def test_local_socket_wins_over_the_annotation(module_harness, runner, paths):
    paths('kubelet_conf', kubelet_config=read_fixture('kubelet-1.34-config-reconstructed.txt'))
    runner.on(node_query, out=node_json('node-1', 'unix:///run/containerd/containerd.sock'))
    kind, result, runner = module_harness(kubeadm_facts.main, dict(node_name='node-1'), runner,
                                          bins={'kubectl': '/usr/bin/kubectl'})
    facts = facts_of(result)
    assert (facts['cri_socket'], facts['cri_socket_source']) == (DOCKER, 'kubelet_config')


def test_node_not_found(module_harness, runner, paths, monkeypatch):
    paths('kubelet_conf')
    monkeypatch.setattr(kubeadm_facts.socket, 'gethostname', lambda: 'Worker-1.lab')
    runner.on(node_query, rc=1, err='Error from server (NotFound): nodes "worker-1.lab" not found\n')
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins={'kubectl': '/usr/bin/kubectl'})
    facts = facts_of(result)
    assert facts['api_reachable'] is False and facts['cri_socket'] is None
    assert 'nodes "worker-1.lab" not found' in facts['api_error']
    assert runner.ran('node')[0][-3] == 'worker-1.lab'


def test_check_mode_is_the_same(module_harness, runner, paths):
    paths('admin_conf', 'apiserver_manifest')
    kind, result, runner = module_harness(kubeadm_facts.main, dict(_ansible_check_mode=True), versions(runner),
                                          bins={'kubeadm': '/usr/bin/kubeadm', 'kubelet': '/usr/bin/kubelet'})
    facts = facts_of(result)
    assert facts['is_control_plane'] is True and facts['kubeadm_version'] == 'v1.34.4'


def test_control_plane_needs_the_manifest(module_harness, runner, paths):
    paths('admin_conf')
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins={})
    assert facts_of(result)['is_control_plane'] is False


def test_configured_paths_that_do_not_exist_count_as_missing(module_harness, runner, paths):
    kind, result, runner = module_harness(
        kubeadm_facts.main, dict(kubeadm_path='/opt/missing/kubeadm', kubelet_path='/usr/bin/kubelet'),
        versions(runner), bins={'kubelet': '/usr/bin/kubelet'})
    facts = facts_of(result)
    assert facts['kubeadm_version'] is None and facts['kubelet_version'] == 'v1.34.4'
    assert not any(call[0] == '/opt/missing/kubeadm' for call in runner.calls)
