# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.etcd import EtcdError, backups_to_prune
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.filters import filter_from

DOCUMENTATION = r'''
name: etcd_backup_prune
short_description: The etcd snapshots of a cluster beyond the newest few
version_added: 0.2.0
description:
  - From a list of files, returns the snapshots of the cluster at O(endpoint) that are older than the newest O(keep),
    oldest first. Age comes from the UTC time in the name P(duoshou.kubeadm.etcd_backup_name#filter) gives, not
    from file dates.
  - Files with other names, and other clusters' snapshots in the same directory, are never returned.
author:
  - duoshou.kubeadm maintainers (@duoshou)
options:
  _input:
    description: Paths, or the C(files) of M(ansible.builtin.find) (each with a C(path)).
    type: list
    elements: raw
    required: true
  endpoint:
    description: The cluster endpoint, C(host:port).
    type: str
    required: true
  keep:
    description: How many of the newest snapshots to keep; at least 1.
    type: int
    required: true
'''

EXAMPLES = r'''
- name: List the snapshots on the controller
  ansible.builtin.find:
    paths: ~/.duoshou-kubeadm/etcd-backups/192.168.0.100_16443
    patterns: ['etcd-*.db']
  register: snapshots
  delegate_to: localhost

- name: Keep the newest ten
  ansible.builtin.file:
    path: "{{ item.path }}"
    state: absent
  loop: "{{ snapshots.files | duoshou.kubeadm.etcd_backup_prune(endpoint='192.168.0.100:16443', keep=10) }}"
  delegate_to: localhost
'''

RETURN = r'''
_value:
  description: The entries of the input to delete, oldest first, as they were given.
  type: list
  elements: raw
'''


etcd_backup_prune = filter_from('etcd_backup_prune', backups_to_prune, EtcdError)


class FilterModule:
    def filters(self):
        return {'etcd_backup_prune': etcd_backup_prune}
