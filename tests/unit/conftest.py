"""Make ``ansible_collections.duoshou.kubeadm`` importable for plain pytest runs.

ansible-test does this itself; a checkout anywhere else (``/work/main``, a CI
workspace) is not under an ``ansible_collections/duoshou/kubeadm`` path, so a
symlink tree outside the checkout provides one. It lives outside the checkout
because a link back into the repository would loop for tools that walk it.
"""

import contextlib
import hashlib
import os
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _collections_root():
    parts = REPO_ROOT.split(os.sep)
    if parts[-3:] == ['ansible_collections', 'duoshou', 'kubeadm']:
        return os.sep.join(parts[:-3])
    digest = hashlib.sha256(REPO_ROOT.encode('utf-8')).hexdigest()[:12]
    root = os.path.join(tempfile.gettempdir(), 'duoshou-kubeadm-pytest-%s' % digest)
    namespace_dir = os.path.join(root, 'ansible_collections', 'duoshou')
    link = os.path.join(namespace_dir, 'kubeadm')
    os.makedirs(namespace_dir, exist_ok=True)
    if os.path.islink(link) and os.readlink(link) != REPO_ROOT:
        os.unlink(link)
    if not os.path.lexists(link):
        # Another pytest process may win the race.
        with contextlib.suppress(FileExistsError):
            os.symlink(REPO_ROOT, link)
    return root


sys.path.insert(0, _collections_root())
