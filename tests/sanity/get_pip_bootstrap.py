# Stand-in for the get-pip script ansible-test downloads from its own CI file
# host, which this project's machines cannot reach (only PyPI is). ansible-test
# documents saving the script in its cache by hand; `make sanity` puts this
# one there. It seeds pip from the interpreter's bundled wheel (ensurepip) and
# then lets that pip install the versions ansible-test asked for, from PyPI.
import subprocess
import sys

requested = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + requested)
