# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible.errors import AnsibleFilterError
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation import roles

DOCUMENTATION = r'''
name: role_problems
short_description: The value rules of one role, checked on one host's settings
version_added: 0.2.0
description:
  - Runs the value rules a role's argument spec cannot state (ranges, formats, one setting needing another) on the
    role's settings for one host, and returns one message per problem (the variable, its value and the fix).
  - The rules live in C(plugins/plugin_utils/validation/roles.py); C(playbooks/validate.yml) (the filter
    C(duoshou.kubeadm.cluster_problems)) runs the same rules on the inventory before any host changes, and each
    role's own check calls this filter, so a role applied on its own refuses the same values with the same message.
  - The messages do not name the host; the calling task adds it.
author:
  - duoshou.kubeadm maintainers (@duoshou)
options:
  _input:
    description:
      - The role's settings as the role resolves them for this host, variable name -> value.
      - A variable left out is not checked.
    type: dict
    required: true
  role:
    description: The role whose rules apply.
    type: str
    required: true
    choices: [calico, cluster, docker_cri, haproxy_keepalived, kube_packages, kubeadm_join, os_prep]
  control_planes:
    description: The hosts of C(kube_control_plane), for the rule on C(calico_kubectl_host).
    type: list
    elements: str
  calico_pin:
    description: The pinned Calico version (C(cluster_pins.calico)), shown as the example of a release.
    type: str
  calico_pinned_versions:
    description:
      - The Calico versions with a pinned manifest checksum (the keys of C(cluster_pins.calico_manifest_sha256)).
    type: list
    elements: str
  calico_manifest_upstream_url:
    description:
      - The upstream URL of the Calico manifest; a C(calico_manifest_url) that differs from it is the user's own
        and may go without a checksum. Unset, any C(calico_manifest_url) given counts as the user's own.
    type: str
  firewall_ports:
    description:
      - The ports this host opens (C(os_prep_firewall_ports)); only the wrong entries among them are reported.
        Unset, every entry of every C(os_prep_firewall_*_ports) list is checked.
    type: list
    elements: str
'''

EXAMPLES = r'''
- name: Check the VRRP settings
  ansible.builtin.assert:
    that: haproxy_keepalived_problems | length == 0
    fail_msg: "{{ inventory_hostname }}: {{ haproxy_keepalived_problems | join('; ') }}"
    quiet: true
  vars:
    haproxy_keepalived_problems: >-
      {{ {'haproxy_keepalived_priority': haproxy_keepalived_priority,
          'haproxy_keepalived_advert_int': haproxy_keepalived_advert_int}
         | duoshou.kubeadm.role_problems('haproxy_keepalived') }}

- name: Check the Calico version and the host that runs kubectl
  ansible.builtin.assert:
    that: calico_problems | length == 0
    fail_msg: "{{ calico_problems | join('; ') }}"
  vars:
    calico_problems: >-
      {{ {'calico_version': calico_version, 'calico_kubectl_host': calico_kubectl_host}
         | duoshou.kubeadm.role_problems('calico', control_planes=groups['kube_control_plane'],
                                         calico_pin=cluster_pins.calico) }}
'''

RETURN = r'''
_value:
  description: One message per problem, each naming the variable, its value and the fix; empty when all is well.
  type: list
  elements: str
'''


def role_problems(values, role, control_planes=None, calico_pin=None, calico_pinned_versions=None,
                  calico_manifest_upstream_url=None, firewall_ports=None):
    """Problems of ``role``'s value rules for one host's settings ``values``."""
    if not isinstance(values, dict):
        raise AnsibleFilterError('role_problems: the input must be a mapping of settings, not %s'
                                 % type(values).__name__)
    ctx = {'control_planes': control_planes, 'calico_pin': calico_pin,
           'calico_pinned_versions': calico_pinned_versions,
           'calico_manifest_upstream_url': calico_manifest_upstream_url, 'firewall_ports': firewall_ports}
    try:
        return roles.role_problems(role, values, dict((key, value) for key, value in ctx.items() if value is not None))
    except ValueError as exc:
        raise AnsibleFilterError('role_problems: %s' % exc) from exc


class FilterModule:
    def filters(self):
        return {'role_problems': role_problems}
