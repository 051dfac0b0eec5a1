// Vite 8 needs Node.js ^20.19 or >=22.12; say so plainly instead of failing somewhere inside the build.
const [major, minor] = process.versions.node.split('.').map(Number);
const ok = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
if (!ok) {
  console.error(`the web console needs Node.js ^20.19 or >=22.12 (Vite 8); this is ${process.versions.node}.`
    + " Debian 12 ships 18.19: install a newer nodejs (NodeSource's 20.x package, for one) first.");
  process.exit(1);
}
