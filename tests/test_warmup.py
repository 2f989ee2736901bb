"""The dashboard's torch warm-up: it loads what the first optimizer needs, in the background."""
import subprocess
import sys


def test_warm_up_in_background_imports_what_the_first_optimizer_needs():
    # A fresh interpreter: in this one, earlier tests have long imported everything.
    code = ("import sys; from dashboard.torch_warmup import warm_up_in_background; "
            "assert 'torch._dynamo' not in sys.modules; "
            "assert not [m for m in sys.modules if m.startswith('gancore')], 'no gancore: see its docstring'; "
            "t = warm_up_in_background(); t.join(60); "
            "assert not t.is_alive() and 'torch._dynamo' in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
