# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small helpers shared by the modules."""

import os

ADMIN_KUBECONFIG = '/etc/kubernetes/admin.conf'


def is_executable(path):
    """True for an existing regular file this user may execute."""
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def kubeadm_argument_spec(**options):
    """Argument spec with the options of the duoshou.kubeadm.kubeadm doc fragment, plus the module's own."""
    spec = dict(
        kubeconfig=dict(type='path', default=ADMIN_KUBECONFIG),
        kubeadm_path=dict(type='path'),
    )
    spec.update(options)
    return spec


def find_program(module, name):
    """Path of ``name`` to run: the ``<name>_path`` option, else ``name`` on PATH; fails the module otherwise."""
    option = '%s_path' % name
    path = module.params[option]
    if not path:
        path = module.get_bin_path(name)
        if not path:
            module.fail_json(msg='%s is not on PATH; install %s or set %s to its location' % (name, name, option))
    if not is_executable(path):
        module.fail_json(msg='%s %s is not an executable file; install %s or fix %s' % (option, path, name, option))
    return path


def find_kubeadm(module):
    """Path of the kubeadm to run (``find_program`` for kubeadm)."""
    return find_program(module, 'kubeadm')
