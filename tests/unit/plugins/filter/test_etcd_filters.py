"""The etcd_* filters: registered under their names, errors as AnsibleFilterError naming the filter."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.duoshou.kubeadm.plugins.filter import (
    etcd_backup_name,
    etcd_backup_prune,
    etcd_member,
    etcd_members,
    etcd_snapshot_status,
    kubeadm_remove_plan,
)
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import read_fixture


@pytest.mark.parametrize('module,name', [
    (etcd_backup_name, 'etcd_backup_name'),
    (etcd_backup_prune, 'etcd_backup_prune'),
    (etcd_member, 'etcd_member'),
    (etcd_snapshot_status, 'etcd_snapshot_status'),
    (etcd_members, 'etcd_members'),
    (kubeadm_remove_plan, 'kubeadm_remove_plan'),
])
def test_registered(module, name):
    filters = module.FilterModule().filters()
    assert list(filters) == [name] and filters[name] is getattr(module, name)


def test_name_and_prune_work_together():
    name = etcd_backup_name.etcd_backup_name('192.168.0.100:16443', '2026-12-02T05:31:37Z')
    older = etcd_backup_name.etcd_backup_name('192.168.0.100:16443', '2026-12-01T05:31:37Z')
    assert etcd_backup_prune.etcd_backup_prune([name, older], endpoint='192.168.0.100:16443', keep=1) == [older]


def test_member_and_status():
    member = etcd_member.etcd_member(read_fixture('kubeadm-1.34-etcd-manifest-reconstructed.txt'))
    assert member['initial_cluster'] == 'cp1=https://192.168.77.11:2380'
    status = etcd_snapshot_status.etcd_snapshot_status(
        read_fixture('etcdutl-3.6-snapshot-status-json-reconstructed.txt'))
    assert status['revision'] == 48213


@pytest.mark.parametrize('call,message', [
    (lambda: etcd_backup_name.etcd_backup_name('', '2026-12-02T05:31:37Z'), '^etcd_backup_name: '),
    (lambda: etcd_backup_prune.etcd_backup_prune([], endpoint='x:1', keep=0), '^etcd_backup_prune: '),
    (lambda: etcd_member.etcd_member('kind: Service'), '^etcd_member: '),
    (lambda: etcd_snapshot_status.etcd_snapshot_status('rc=1'), '^etcd_snapshot_status: '),
])
def test_errors_name_the_filter(call, message):
    with pytest.raises(AnsibleFilterError, match=message):
        call()


def test_members_filter_reads_the_member_list():
    members = etcd_members.etcd_members(read_fixture('etcdctl-3.6-member-list-json-reconstructed.txt'))
    assert [member['name'] for member in members] == ['cp2', 'cp1', 'cp3']


def test_members_filter_error_names_the_filter():
    with pytest.raises(AnsibleFilterError, match='^etcd_members: no JSON object'):
        etcd_members.etcd_members('Error: context deadline exceeded')


def test_remove_plan_filter_error_names_the_filter():
    with pytest.raises(AnsibleFilterError, match='^kubeadm_remove_plan: inventory must be a dict'):
        kubeadm_remove_plan.kubeadm_remove_plan('w2', inventory=None)
