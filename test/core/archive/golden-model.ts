/**
 * The golden model: a tiny directory with every shape a model archive must handle (a long name, an empty
 * directory, non-ASCII names, an executable file), and the archive it must pack to. The archive's bytes
 * are the content address of every model in S3: if they change, every model is uploaded again under a
 * new key and gets a new SageMaker Model on the next `pulumi up`.
 */
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../../components/fixtures";

export const GOLDEN_SHA256 = "7100b28a99b29b24daca3455da9156db3db51bcc9b42514195c8fb97860d0a0f";

export const GOLDEN_ARCHIVE_BASE64 =
    "H4sIAAAAAAAC/+2ZQW7bMBBFtdYpWGTTLioNSZG0C3hRdNPsCvQAhWyObRUSZUh06vRE7TlyscKO2wRKGm9K1onmrQxuDOL7/z9DL1qLeRIWADBKscfOj7DBuVLSsEQlEdj2vuwSgH9wycNFHrvQGbPY64/Nxl/nZ6S/1kaR/tH0r9wSO3QLzDbXYfTXRfF3/ZVmCZcahNFQACTAOReKJUD6B8fikjWtxfrL0r2+/WCr7s27lDHGOvTbzrE/x2lCvDBs6cuz7H9N+R+DT+XuI5YWu9yF4lT+CyUG+S+F2Z/tSP/gcDllm9KvZ4cgcP+JbF65VABrfNXgjCtjJlJPAFLOWV99xxkX1D1BiCDuyfmPF0P/S1PIZz7/7f30DPQvWd26FXNlg+SwEXLX/7Z17uYn9vH3PykH8x8HpQz1f5T+nxzr/6h+nk5vGxcoDkax//3W/az2P601vf9Gzv+mtTc/asz8zkfOfzOc/7gQBij/YyCmg/y/9zN4eiMzVBAvKf/D2f+k/wV/4H+pOL3/x9n/XOvevv/84fKSlsARcvhvJ/vazutqHnD+e/r9xwz9D1xL8n8MVm1t0bFvWK3Wvif3j40euyvM+nXI7zi1/4nh/A9Gaur/KFy8yueVy/t1ijtcMN9taQQgCIIYA78AhQy3jQAsAAA=";

const GOLDEN_FILES: { [name: string]: string } = {
    "model.joblib": "golden weights\n",
    "code/inference.py": "def model_fn(model_dir):\n    return model_dir\n",
    [`data/${"n".repeat(120)}.bin`]: "a long name\n",
    "données/modèle.txt": "a non-ASCII name\n",
    "serve.sh": "#!/bin/sh\nexec true\n",
};

/** A fresh copy of the golden model directory. */
export function goldenModelDir(): string {
    const dir = tempDir("golden");
    for (const [name, content] of Object.entries(GOLDEN_FILES)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), content);
    }
    fs.chmodSync(path.join(dir, "serve.sh"), 0o755);
    fs.mkdirSync(path.join(dir, "code", "empty"));
    return dir;
}
