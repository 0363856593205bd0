# -*- coding: utf-8 -*-
# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small helpers shared by the modules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os


def is_executable(path):
    """True for an existing regular file this user may execute."""
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)
