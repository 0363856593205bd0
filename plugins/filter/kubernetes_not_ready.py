# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r'''
name: kubernetes_not_ready
short_description: Nodes or pods whose Ready condition is not True, each with the reason Kubernetes gives
version_added: 0.3.0
description:
  - Reads the C(items) of C(kubectl get nodes -o json) or C(kubectl get pods -o json) and returns one line per object
    that is not Ready, so a refusal can name what is wrong instead of saying "unhealthy".
  - An object without a Ready condition (a node that never reported, a pod not scheduled) counts as not Ready.
author:
  - duoshou.kubeadm maintainers (@duoshou)
options:
  _input:
    description: The C(items) list of a Node or Pod list.
    type: list
    elements: dict
    required: true
'''

EXAMPLES = r'''
- name: Refuse to go on while a node is not Ready
  ansible.builtin.assert:
    that: not_ready | length == 0
    fail_msg: "Not Ready: {{ not_ready | join('; ') }}"
  vars:
    not_ready: "{{ (nodes.stdout | from_json)['items'] | duoshou.kubeadm.kubernetes_not_ready }}"
'''

RETURN = r'''
_value:
  description: "C(<namespace/>name (<reason>: <message>)) for each object that is not Ready; empty when all are."
  type: list
  elements: str
'''


def kubernetes_not_ready(items):
    """Names, with Kubernetes' reason, of the objects in ``items`` whose Ready condition is not True."""
    if not isinstance(items, list):
        raise AnsibleFilterError('kubernetes_not_ready: expected the items list of kubectl get -o json, got %s'
                                 % type(items).__name__)
    result = []
    for item in items:
        metadata = item.get('metadata') or {}
        name = metadata.get('name', '?')
        if metadata.get('namespace'):
            name = '%s/%s' % (metadata['namespace'], name)
        ready = [c for c in (item.get('status') or {}).get('conditions') or [] if c.get('type') == 'Ready']
        if ready and ready[0].get('status') == 'True':
            continue
        if not ready:
            result.append('%s (no Ready condition)' % name)
            continue
        why = ': '.join(part for part in (ready[0].get('reason'), ready[0].get('message')) if part)
        result.append('%s (Ready=%s%s)' % (name, ready[0].get('status'), ', ' + why if why else ''))
    return result


class FilterModule:
    def filters(self):
        return {'kubernetes_not_ready': kubernetes_not_ready}
