"""roles/kubeadm_master/files/certs_renew.py, the renewal timer's script, installed as the role installs it:
next to plugins/plugin_utils/certificates.py. kubeadm and crictl are stand-ins that replay the recorded
output of kubeadm certs check-expiration (kubeadm 1.34) and log how they were called."""

import datetime
import importlib.util
import os
import shutil
import stat
import sys

import pytest
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import fixture_path

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
RECORDED = fixture_path('kubeadm-1.34-certs-check-expiration-json-recorded.json')
# The recorded certificates expire 2027-12-02T05:31:37Z; a few were missing (admin.conf, ...).
UTC = datetime.timezone.utc
YEAR_LEFT = datetime.datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
TWELVE_DAYS_LEFT = datetime.datetime(2027, 11, 20, 5, 0, tzinfo=UTC)
EXPIRED = datetime.datetime(2027, 12, 3, 0, 0, tzinfo=UTC)


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """The script and the expiry rule in one directory, stand-in commands first on PATH."""
    lib = tmp_path / 'lib'
    lib.mkdir()
    shutil.copy(os.path.join(REPO, 'roles/kubeadm_master/files/certs_renew.py'), lib)
    shutil.copy(os.path.join(REPO, 'plugins/plugin_utils/certificates.py'), lib)
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    calls = tmp_path / 'calls.log'
    for name in ('kubeadm', 'crictl'):
        command = bin_dir / name
        command.write_text('#!/bin/sh\necho "%s $*" >> %s\n'
                           'if [ "$1 $2" = "certs check-expiration" ]; then cat %s; fi\n' % (name, calls, RECORDED))
        command.chmod(command.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv('PATH', '%s:%s' % (bin_dir, os.environ['PATH']))
    spec = importlib.util.spec_from_file_location('certs_renew', lib / 'certs_renew.py')
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setattr(sys, 'path', list(sys.path))
    spec.loader.exec_module(module)
    etc = tmp_path / 'etc'
    (etc / 'manifests').mkdir(parents=True)
    (etc / 'admin.conf').write_text('renewed admin.conf\n')
    module.test_calls = calls
    module.test_etc = etc
    return module


def args_for(module, *extra):
    etc = module.test_etc
    return ['--days', '30', '--admin-conf', str(etc / 'admin.conf'), '--manifests', str(etc / 'manifests'),
            '--parked', str(etc / 'parked'), '--static-pod', 'kube-apiserver', '--static-pod', 'etcd',
            '--cri-socket', 'unix:///run/x.sock', '--crictl-ps=ps', '--crictl-ps=--quiet',
            '--readyz-url', 'https://127.0.0.1:1/readyz', '--timeout', '1'] \
        + list(extra)


def calls(module):
    return module.test_calls.read_text().splitlines() if module.test_calls.exists() else []


def test_nothing_due_a_year_before_expiry(installed, capsys):
    assert installed.main(args_for(installed), now=YEAR_LEFT) == 0
    assert calls(installed) == ['kubeadm certs check-expiration --output json']
    assert 'nothing to renew' in capsys.readouterr().out


def test_due_certificates_are_named_and_missing_ones_are_not(installed):
    with open(RECORDED) as handle:
        recorded = handle.read()
    rows = installed.certificate_report(recorded, TWELVE_DAYS_LEFT, warn_days=30)
    due = installed.due_certificates(rows)
    assert 'apiserver' in due and 'etcd-server' in due
    assert 'admin.conf' not in due  # missing in the recording
    assert not [name for name in due if name.endswith('ca')]  # authorities are not renewed by kubeadm
    assert installed.due_certificates(installed.certificate_report(recorded, EXPIRED)) == due


@pytest.mark.parametrize('now', [TWELVE_DAYS_LEFT, EXPIRED])
def test_refuses_to_renew_while_the_local_apiserver_is_not_ready(installed, capsys, now):
    assert installed.main(args_for(installed), now=now) == 1
    assert 'kubeadm certs renew all' not in calls(installed)
    assert 'refusing to renew: the local kube-apiserver is not ready' in capsys.readouterr().out


def test_renews_restarts_the_static_pods_and_refreshes_the_users_kubeconfig(installed, monkeypatch, tmp_path):
    manifests = installed.test_etc / 'manifests'
    for name in ('kube-apiserver', 'etcd'):
        (manifests / (name + '.yaml')).write_text(name)
    home = tmp_path / 'home'
    (home / '.kube').mkdir(parents=True)
    homes = {'operator': str(home), 'ghost': None, 'nokube': str(tmp_path)}
    monkeypatch.setattr(installed, 'home_of', homes.get)
    user_config = home / '.kube' / 'config'
    user_config.write_text('old admin.conf, a longer text than the new one\n')
    user_config.chmod(0o600)
    monkeypatch.setattr(installed, 'readyz', lambda url, timeout=3.0: True)
    monkeypatch.setattr(installed, 'running_static_pods', lambda crictl_ps, names: False)
    # operator has a copy; ghost has no account, nokube no ~/.kube/config: both are left alone.
    assert installed.main(args_for(installed, '--kubeconfig-user', 'ghost', '--kubeconfig-user', 'operator',
                                   '--kubeconfig-user', 'nokube'), now=TWELVE_DAYS_LEFT) == 0
    assert calls(installed) == ['kubeadm certs check-expiration --output json', 'kubeadm certs renew all']
    assert sorted(os.listdir(manifests)) == ['etcd.yaml', 'kube-apiserver.yaml']
    assert os.listdir(installed.test_etc / 'parked') == []
    assert user_config.read_text() == 'renewed admin.conf\n'
    assert stat.S_IMODE(user_config.stat().st_mode) == 0o600
    assert not (tmp_path / '.kube').exists()


def test_puts_back_manifests_a_dead_run_left_parked(installed):
    parked = installed.test_etc / 'parked'
    parked.mkdir()
    (parked / 'etcd.yaml').write_text('etcd')
    (installed.test_etc / 'admin.conf').unlink()
    assert installed.main(args_for(installed), now=YEAR_LEFT) == 0
    assert (installed.test_etc / 'manifests' / 'etcd.yaml').read_text() == 'etcd'
    assert calls(installed) == []  # no admin.conf: not a control plane, nothing asked of kubeadm


def test_lists_the_static_pods_with_the_roles_crictl_arguments(installed):
    # The stand-in crictl prints nothing: no static pod is running any more.
    assert installed.running_static_pods(['crictl', '--runtime-endpoint', 'unix:///run/x.sock', 'ps', '--quiet'],
                                         ['kube-apiserver', 'etcd']) is False
    assert calls(installed) == [
        'crictl --runtime-endpoint unix:///run/x.sock ps --quiet --name ^(kube-apiserver|etcd)$']
