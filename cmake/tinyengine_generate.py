"""CMake's generation step (cmake/tinyengine.cmake): runs tinyengine_gen.integrations.build from
this source tree (<repo>/python), whatever else the interpreter has installed."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
from tinyengine_gen.integrations.build import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
