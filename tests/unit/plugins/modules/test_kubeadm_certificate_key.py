import pytest
from ansible_collections.duoshou.kubeadm.plugins.modules import kubeadm_certificate_key
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import read_fixture

KEY = 'cd25fc885ee054ae3a6d47e2a825d2c77443468ffe18995cfe8781d07443a7e3'


def upload_output():
    return read_fixture('kubeadm-1.34-upload-certs-reconstructed.txt')


def is_upload(args):
    return args[1:5] == ['init', 'phase', 'upload-certs', '--upload-certs']


@pytest.fixture
def kubeconfig(tmp_path):
    path = tmp_path / 'admin.conf'
    path.write_text('apiVersion: v1\nkind: Config\n')
    return str(path)


def test_returns_new_key(module_harness, runner, kubeconfig):
    runner.on(is_upload, out=upload_output())
    kind, result, runner = module_harness(kubeadm_certificate_key.main, dict(kubeconfig=kubeconfig), runner)
    assert kind == 'exit'
    assert result == dict(changed=True, certificate_key=KEY)
    assert runner.calls == [['/usr/bin/kubeadm', 'init', 'phase', 'upload-certs', '--upload-certs',
                             '--kubeconfig', kubeconfig]]


def test_config_file_is_passed(module_harness, runner, kubeconfig, tmp_path):
    config = tmp_path / 'kubeadm.yaml'
    config.write_text('kind: ClusterConfiguration\n')
    runner.on(is_upload, out=upload_output())
    kind, result, runner = module_harness(kubeadm_certificate_key.main,
                                          dict(kubeconfig=kubeconfig, config=str(config)), runner)
    assert kind == 'exit' and result['certificate_key'] == KEY
    assert runner.calls[0][-2:] == ['--config', str(config)]
    assert not any(KEY in arg for arg in runner.calls[0])


def test_check_mode_runs_nothing(module_harness, runner, kubeconfig):
    kind, result, runner = module_harness(kubeadm_certificate_key.main,
                                          dict(kubeconfig=kubeconfig, _ansible_check_mode=True), runner)
    assert kind == 'exit' and result['changed'] is True
    assert 'certificate_key' not in result
    assert 'check mode' in result['msg']
    assert runner.calls == []


def test_unparseable_output_is_redacted(module_harness, runner, kubeconfig):
    runner.on(is_upload, out='[upload-certs] Using certificate key:\nKEY-WITHOUT-HEX\n%s\n' % KEY)
    kind, result, runner = module_harness(kubeadm_certificate_key.main, dict(kubeconfig=kubeconfig), runner)
    assert kind == 'fail'
    assert result['msg'].startswith('cannot find the certificate key')
    assert KEY not in repr(result) and '<redacted>' in result['stdout']


def test_missing_key_line(module_harness, runner, kubeconfig):
    runner.on(is_upload, out='[upload-certs] Storing the certificates in Secret "kubeadm-certs"\n')
    kind, result, runner = module_harness(kubeadm_certificate_key.main, dict(kubeconfig=kubeconfig), runner)
    assert kind == 'fail' and 'Using certificate key' in result['msg']


def test_kubeadm_failure(module_harness, runner, kubeconfig):
    runner.on(is_upload, rc=1, err='error execution phase upload-certs: secrets "kubeadm-certs" is forbidden\n')
    kind, result, runner = module_harness(kubeadm_certificate_key.main, dict(kubeconfig=kubeconfig), runner)
    assert kind == 'fail' and 'forbidden' in result['msg'] and result['rc'] == 1 and result['cmd'][1] == 'init'


def test_failure_message_does_not_leak_a_key(module_harness, runner, kubeconfig):
    leaked = 'ab' * 32
    runner.on(is_upload, rc=1, err='[upload-certs] Using certificate key:\n%s\nerror: timed out\n' % leaked)
    kind, result, runner = module_harness(kubeadm_certificate_key.main, dict(kubeconfig=kubeconfig), runner)
    assert kind == 'fail' and 'timed out' in result['msg']
    assert leaked not in result['msg'] and leaked not in result['stderr']


def test_missing_kubeconfig(module_harness, runner, tmp_path):
    kind, result, runner = module_harness(kubeadm_certificate_key.main,
                                          dict(kubeconfig=str(tmp_path / 'missing.conf')), runner)
    assert kind == 'fail' and 'kubeconfig' in result['msg'] and runner.calls == []


def test_missing_config(module_harness, runner, kubeconfig, tmp_path):
    kind, result, runner = module_harness(kubeadm_certificate_key.main,
                                          dict(kubeconfig=kubeconfig, config=str(tmp_path / 'nope.yaml')), runner)
    assert kind == 'fail' and 'config' in result['msg'] and runner.calls == []


def test_kubeadm_path_not_executable(module_harness, runner, kubeconfig):
    kind, result, runner = module_harness(kubeadm_certificate_key.main,
                                          dict(kubeconfig=kubeconfig, kubeadm_path='/missing/kubeadm'), runner)
    assert kind == 'fail' and 'is not an executable file' in result['msg'] and runner.calls == []


def test_kubeadm_not_found(module_harness, runner, kubeconfig):
    kind, result, runner = module_harness(kubeadm_certificate_key.main, dict(kubeconfig=kubeconfig), runner, bins={})
    assert kind == 'fail' and 'set kubeadm_path' in result['msg'] and runner.calls == []
