import pytest
from ansible_collections.duoshou.kubeadm.plugins.module_utils.common import (
    find_kubeadm,
    find_program,
    is_executable,
    kubeadm_argument_spec,
)


class Failed(Exception):
    pass


class FakeModule:
    def __init__(self, kubeadm_path=None, on_path=None, kubectl_path=None):
        self.params = dict(kubeadm_path=kubeadm_path, kubectl_path=kubectl_path)
        self.on_path = on_path

    def get_bin_path(self, name, required=False):
        assert name in ('kubeadm', 'kubectl') and not required
        return self.on_path

    def fail_json(self, msg, **kwargs):
        raise Failed(msg)


@pytest.fixture
def binaries(tmp_path):
    runnable = tmp_path / 'kubeadm'
    runnable.write_text('#!/bin/sh\n')
    runnable.chmod(0o755)
    plain = tmp_path / 'kubeadm.txt'
    plain.write_text('not a program\n')
    plain.chmod(0o644)
    return dict(runnable=str(runnable), plain=str(plain), directory=str(tmp_path), missing=str(tmp_path / 'nope'))


def test_is_executable(binaries):
    assert is_executable(binaries['runnable']) is True
    for name in ('plain', 'directory', 'missing'):
        assert is_executable(binaries[name]) is False, name
    assert is_executable(None) is False
    assert is_executable('') is False


def test_argument_spec_has_the_fragment_options_and_the_module_ones():
    spec = kubeadm_argument_spec(config=dict(type='path'))
    assert spec == dict(kubeconfig=dict(type='path', default='/etc/kubernetes/admin.conf'),
                        kubeadm_path=dict(type='path'), config=dict(type='path'))
    # Each call builds new dicts: AnsibleModule may change the spec it gets.
    assert kubeadm_argument_spec()['kubeconfig'] is not kubeadm_argument_spec()['kubeconfig']


def test_find_kubeadm_prefers_the_option(binaries):
    module = FakeModule(kubeadm_path=binaries['runnable'], on_path='/usr/bin/kubeadm')
    assert find_kubeadm(module) == binaries['runnable']


def test_find_kubeadm_on_path(binaries):
    assert find_kubeadm(FakeModule(on_path=binaries['runnable'])) == binaries['runnable']


def test_find_kubeadm_not_on_path():
    with pytest.raises(Failed, match='kubeadm is not on PATH; install kubeadm or set kubeadm_path'):
        find_kubeadm(FakeModule())


@pytest.mark.parametrize('name', ['plain', 'directory', 'missing'])
def test_find_kubeadm_option_not_executable(binaries, name):
    with pytest.raises(Failed, match='^kubeadm_path %s is not an executable file' % binaries[name]):
        find_kubeadm(FakeModule(kubeadm_path=binaries[name]))


def test_find_program_uses_the_option_named_after_the_program(binaries):
    assert find_program(FakeModule(kubectl_path=binaries['runnable']), 'kubectl') == binaries['runnable']
    with pytest.raises(Failed, match='^kubectl is not on PATH; install kubectl or set kubectl_path'):
        find_program(FakeModule(kubeadm_path=binaries['runnable']), 'kubectl')
    with pytest.raises(Failed, match='^kubectl_path %s is not an executable file' % binaries['plain']):
        find_program(FakeModule(kubectl_path=binaries['plain']), 'kubectl')
