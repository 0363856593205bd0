# -*- coding: utf-8 -*-
# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small helpers shared by the modules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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


def find_kubeadm(module):
    """Path of the kubeadm to run: the kubeadm_path option, else kubeadm on PATH; fails the module otherwise."""
    path = module.params['kubeadm_path']
    if not path:
        path = module.get_bin_path('kubeadm')
        if not path:
            module.fail_json(msg='kubeadm is not on PATH; install kubeadm or set kubeadm_path to its location')
    if not is_executable(path):
        module.fail_json(msg='kubeadm_path %s is not an executable file; install kubeadm or fix kubeadm_path' % path)
    return path
