# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.etcd import EtcdError, snapshot_status
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.filters import filter_from

DOCUMENTATION = r'''
name: etcd_snapshot_status
short_description: Read what etcdutl says about an etcd snapshot file
version_added: 0.2.0
description:
  - Reads the output of C(etcdutl snapshot status <file> --write-out json) and returns the snapshot's hash,
    revision, number of keys and size, checked to be whole numbers of a real snapshot (revision and size at least 1).
  - Lines before the JSON object, such as warnings some etcd releases print, are skipped.
author:
  - duoshou.kubeadm maintainers (@duoshou)
options:
  _input:
    description: The text etcdutl printed, or the parsed JSON object.
    type: raw
    required: true
seealso:
  - plugin: duoshou.kubeadm.etcd_backup_name
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Check the snapshot
  ansible.builtin.command:
    argv: [etcdutl, snapshot, status, /var/lib/etcd/snapshot.db, --write-out, json]
  register: snapshot_status
  changed_when: false

- name: Show revision, keys and size
  ansible.builtin.debug:
    msg: >-
      {{ (snapshot_status.stdout | duoshou.kubeadm.etcd_snapshot_status).revision }}
'''

RETURN = r'''
_value:
  description: The snapshot's status.
  type: dict
  contains:
    hash: {description: CRC-32C of the snapshot's contents as etcdutl computes it., type: int}
    revision: {description: The etcd revision the snapshot holds., type: int}
    total_keys: {description: Number of keys in the snapshot., type: int}
    total_size: {description: Size of the snapshot's database in bytes., type: int}
    version: {description: The storage version (etcd 3.6 and later); null when etcdutl does not print it., type: str}
'''


etcd_snapshot_status = filter_from('etcd_snapshot_status', snapshot_status, EtcdError)


class FilterModule:
    def filters(self):
        return {'etcd_snapshot_status': etcd_snapshot_status}
