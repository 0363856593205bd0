# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.etcd import EtcdError, backup_name
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.filters import filter_from

DOCUMENTATION = r'''
name: etcd_backup_name
short_description: File name of an etcd snapshot, from the cluster endpoint and the time it was taken
version_added: 0.2.0
description:
  - Returns C(etcd-<endpoint>-<UTC time>.db), the endpoint written as in C(cluster_kubeconfig_fetch_path)
    (characters other than letters, digits, dots and dashes replaced by C(_)) and the time as C(20261202T053137Z).
  - The time is an input, never the filter's own clock; P(duoshou.kubeadm.etcd_backup_prune#filter) reads it back.
author:
  - duoshou.kubeadm maintainers (@duoshou)
options:
  _input:
    description: The cluster endpoint, C(host:port).
    type: str
    required: true
  when:
    description:
      - When the snapshot was taken - C(now(utc=true)) (a naive datetime is taken as UTC), an aware datetime,
        or an RFC 3339 string with its time zone.
    type: raw
    required: true
'''

EXAMPLES = r'''
- name: Take the time of the backup once, on the controller
  ansible.builtin.set_fact:
    backup_time: "{{ now(utc=true, fmt='%Y-%m-%dT%H:%M:%SZ') }}"
  run_once: true

- name: Name the snapshot
  ansible.builtin.debug:
    msg: "{{ '192.168.0.100:16443' | duoshou.kubeadm.etcd_backup_name(backup_time) }}"
    # etcd-192.168.0.100_16443-20261202T053137Z.db
'''

RETURN = r'''
_value:
  description: The file name.
  type: str
  sample: etcd-192.168.0.100_16443-20261202T053137Z.db
'''


etcd_backup_name = filter_from('etcd_backup_name', backup_name, EtcdError)


class FilterModule:
    def filters(self):
        return {'etcd_backup_name': etcd_backup_name}
