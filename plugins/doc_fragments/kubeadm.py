# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:

    # The options of module_utils.common.kubeadm_argument_spec(), for modules that run kubeadm against the cluster.
    DOCUMENTATION = r'''
options:
  kubeconfig:
    description: Admin kubeconfig used to talk to the cluster.
    type: path
    default: /etc/kubernetes/admin.conf
  kubeadm_path:
    description: Path of the kubeadm binary. Default is C(kubeadm) found on E(PATH).
    type: path
'''

    # Every module of the collection supports check mode and none supports diff mode; modules add C(details).
    ATTRIBUTES = r'''
attributes:
  check_mode:
    description: Can run in check mode and predict whether it would change anything.
    support: full
  diff_mode:
    description: Would show what changes in diff mode.
    support: none
'''
