#!/usr/bin/env bash
# Builds the Quantix-OS disk image from Debian 12 packages and the Karaf distribution:
#   1. base     mmdebstrap minbase + packages.txt, cached as a tarball keyed by the package list
#   2. system   the base + /opt/quantix + rootfs/ + a package manifest, packed as a zstd squashfs
#   3. boot     an initramfs (busybox + initramfs/init), a standalone GRUB for x86_64 EFI
#   4. disk     GPT: EFI, System A, System B, Config, Data, assembled from files (no loop devices)
# Usage: image-builder/build.sh [DISTRIBUTION_ZIP]   (default: karaf-distribution/target's zip)
# Environment: QUANTIX_IMAGE_CACHE (default /work/image-cache: .debs and base tarballs, outside the repo),
#   QUANTIX_IMAGE_OUT (default image-builder/out), QUANTIX_IMAGE_MIRROR (default http://deb.debian.org/debian),
#   QUANTIX_SLOT_MIB (size of each system slot, default 1536), QUANTIX_DATA_MIB (default 512),
#   QUANTIX_IMAGE_PIN (a manifest.txt of an earlier build: install exactly its packages and versions, which the
#   mirror must still have, e.g. a snapshot.debian.org mirror of that day).
# Needs root (mmdebstrap's root mode keeps file owners; chroot for the manifest).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
VERSION=0.1.0
ZIP=${1:-$ROOT/karaf-distribution/target/quantix-karaf-distribution-$VERSION.zip}
CACHE=${QUANTIX_IMAGE_CACHE:-/work/image-cache}
OUT=${QUANTIX_IMAGE_OUT:-$HERE/out}
MIRROR=${QUANTIX_IMAGE_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${QUANTIX_IMAGE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
SUITE=bookworm
SLOT_MIB=${QUANTIX_SLOT_MIB:-1536}
DATA_MIB=${QUANTIX_DATA_MIB:-512}
ESP_MIB=64
CONFIG_MIB=64
# Modules the initramfs loads (with their dependencies) to find and mount the disk: virtio and common
# disk controllers, then the file systems. Built-in ones are skipped.
INITRAMFS_MODULES=(virtio_pci virtio_blk virtio_scsi ahci nvme sd_mod usb_storage uas xhci_pci squashfs overlay ext4)
HOST_PACKAGES=(mmdebstrap squashfs-tools grub-efi-amd64-bin grub-common gdisk dosfstools mtools busybox-static
  cpio kmod e2fsprogs xz-utils zstd unzip)

log() { printf '\033[36mimage:\033[0m %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
seconds_since() { echo $(( $(date +%s) - $1 )); }

install_host_packages() {
  local missing=()
  for p in "${HOST_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# What mmdebstrap installs, one a line: packages.txt's names, or with QUANTIX_IMAGE_PIN every package of
# that manifest as name=version (the node runtime's line is not a Debian package).
packages() {
  if [ -n "${QUANTIX_IMAGE_PIN:-}" ]; then
    [ -f "$QUANTIX_IMAGE_PIN" ] || die "QUANTIX_IMAGE_PIN: no manifest at $QUANTIX_IMAGE_PIN"
    awk -F'\t' '!/^#/ && $1 != "quantix-karaf-distribution" { print $1 "=" $2 }' "$QUANTIX_IMAGE_PIN"
  else
    sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$HERE/packages.txt"
  fi
}

# Stage 1. The key covers everything the base depends on: packages, suite, mirrors and this recipe's version
# (bump BASE_RECIPE when the mmdebstrap call below changes).
BASE_RECIPE=1
base_tarball() {
  local key
  key=$(printf '%s\n' "$BASE_RECIPE" "$SUITE" "$MIRROR" "$SECURITY_MIRROR" "$(packages)" | sha256sum | cut -c1-16)
  BASE="$CACHE/base-$key.tar"
  if [ -f "$BASE" ]; then log "base: cached ($BASE)"; return; fi
  log "base: mmdebstrap $SUITE minbase with $(packages | wc -l) packages (debs cached in $CACHE/debs)"
  mkdir -p "$CACHE/debs"
  local start; start=$(date +%s)
  mmdebstrap --variant=minbase --mode=root --format=tar \
    --include="$(packages | paste -sd, -)" \
    --skip=essential/unlink \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
    --setup-hook="sync-in $CACHE/debs /var/cache/apt/archives/" \
    --customize-hook="sync-out /var/cache/apt/archives $CACHE/debs" \
    "$SUITE" "$BASE.part" \
    "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" "deb $SECURITY_MIRROR $SUITE-security main"
  mv "$BASE.part" "$BASE"
  log "base: built in $(seconds_since "$start") s"
}

# Stage 2. Everything that changes with the node runtime or the image's own files: redone on every build.
system_tree() {
  [ -f "$ZIP" ] || die "no distribution at $ZIP: build it first (./quantix build)"
  TREE="$WORK/rootfs"
  rm -rf "$TREE"; mkdir -p "$TREE"
  tar -C "$TREE" --numeric-owner -xpf "$BASE"
  unzip -q "$ZIP" -d "$WORK/unpack"
  mv "$WORK/unpack/quantix-karaf-distribution-$VERSION" "$TREE/opt/quantix"
  rmdir "$WORK/unpack"
  cp -a "$HERE/rootfs/." "$TREE/"
  # Debian's own initrd is unused (the slot boots image-builder's initramfs); the machine id is made at boot
  rm -f "$TREE"/boot/initrd.img* "$TREE/initrd.img" "$TREE/initrd.img.old"
  : > "$TREE/etc/machine-id"
  echo quantix > "$TREE/etc/hostname"
  : > "$TREE/etc/resolv.conf"   # mmdebstrap copied the build host's; the node's comes from its network setup
  cat > "$TREE/etc/quantix-os-release" <<EOF
NAME="Quantix-OS"
VERSION="$VERSION"
DEBIAN_SUITE="$SUITE"
BUILD_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
EOF
  # The serial console is the Quantix console: no login prompt on ttyS0; SSH off until the console enables it
  ln -sf /dev/null "$TREE/etc/systemd/system/serial-getty@ttyS0.service"
  chroot "$TREE" systemctl -q enable quantix-console.service
  chroot "$TREE" systemctl -q disable ssh.service
  chroot "$TREE" systemctl -q mask ssh.socket
  mkdir -p "$TREE/usr/share/quantix"
  manifest > "$TREE/usr/share/quantix/manifest.txt"
  cp "$TREE/usr/share/quantix/manifest.txt" "$OUT/manifest.txt"
}

# Every installed package with its version, then the node runtime with its checksum.
manifest() {
  echo "# Quantix-OS $VERSION on Debian $SUITE: package, version, architecture"
  chroot "$TREE" dpkg-query -W -f='${Package}\t${Version}\t${Architecture}\n' | sort
  printf 'quantix-karaf-distribution\t%s\tall\tsha256:%s\n' "$VERSION" "$(sha256sum "$ZIP" | cut -d' ' -f1)"
}

squashfs() {
  rm -f "$OUT/system.squashfs"
  mksquashfs "$TREE" "$OUT/system.squashfs" -comp zstd -noappend -quiet -no-progress -processors "$(nproc)"
  local mib=$(( ($(stat -c %s "$OUT/system.squashfs") + 1048575) / 1048576 ))
  [ "$mib" -lt "$SLOT_MIB" ] || die "the squashfs ($mib MiB) does not fit a slot of $SLOT_MIB MiB (QUANTIX_SLOT_MIB)"
}

# Stage 3a. Busybox, the modules to reach the disk (decompressed: busybox insmod takes plain .ko) and /init.
initramfs() {
  local kver dir="$WORK/initramfs"
  kver=$(basename "$(ls -d "$TREE"/lib/modules/*)")
  cp "$TREE/boot/vmlinuz-$kver" "$OUT/vmlinuz"
  rm -rf "$dir"; mkdir -p "$dir"/{bin,dev,proc,sys,run,newroot,lib/modules}
  cp /bin/busybox "$dir/bin/busybox"
  for applet in sh mount umount mkdir cat grep sed insmod usleep sleep reboot switch_root; do
    ln -s busybox "$dir/bin/$applet"
  done
  local m line ko name seen=" "
  for m in "${INITRAMFS_MODULES[@]}"; do
    while read -r line; do
      case $line in insmod\ *) ;; *) continue ;; esac   # "builtin NAME": nothing to load
      ko=${line#insmod }; ko=${ko%% *}
      name=$(basename "$ko"); name=${name%.xz}; name=${name%.zst}
      case $seen in *" $name "*) continue ;; esac
      seen="$seen$name "
      case $ko in
        *.xz) xz -dc "$ko" > "$dir/lib/modules/$name" ;;
        *.zst) zstd -qdc "$ko" > "$dir/lib/modules/$name" ;;
        *) cp "$ko" "$dir/lib/modules/$name" ;;
      esac
      echo "$name" >> "$dir/lib/modules/load.order"
    done < <(modprobe -d "$TREE" -S "$kver" --show-depends "$m")
  done
  install -m 0755 "$HERE/initramfs/init" "$dir/init"
  (cd "$dir" && find . | sort | cpio -o -H newc --quiet | zstd -q -19 -T0) > "$OUT/initrd.img"
}

# Stage 3b + 4. The EFI partition holds GRUB, its environment (slot, next_slot, tries) and each slot's kernel
# and initramfs; both slots start with the same system, so a failed update has somewhere to fall back to.
disk() {
  local esp="$WORK/esp.img" cfg="$WORK/config.img" data="$WORK/data.img" img="$OUT/quantix-os.img"
  grub-mkstandalone -O x86_64-efi -o "$WORK/BOOTX64.EFI" --locales= --fonts= --themes= \
    --modules="part_gpt fat search_fs_file serial terminal loadenv test linux normal echo" \
    "boot/grub/grub.cfg=$HERE/grub/grub.cfg"
  grub-editenv "$WORK/grubenv" create
  grub-editenv "$WORK/grubenv" set slot=A
  rm -f "$esp"
  mkfs.vfat -C -n QX-EFI "$esp" $((ESP_MIB * 1024)) >/dev/null
  mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/EFI/quantix ::/EFI/quantix/A ::/EFI/quantix/B
  mcopy -i "$esp" "$WORK/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
  mcopy -i "$esp" "$WORK/grubenv" ::/EFI/quantix/grubenv
  for slot in A B; do
    mcopy -i "$esp" "$OUT/vmlinuz" "$OUT/initrd.img" "::/EFI/quantix/$slot/"
  done
  rm -f "$cfg" "$data"
  mkfs.ext4 -q -F -L quantix-config "$cfg" "${CONFIG_MIB}M" >/dev/null
  mkfs.ext4 -q -F -L quantix-data "$data" "${DATA_MIB}M" >/dev/null

  # 1 MiB alignment; partition N starts at the sum of the ones before it
  local total=$((1 + ESP_MIB + 2 * SLOT_MIB + CONFIG_MIB + DATA_MIB + 1))
  rm -f "$img"; truncate -s "${total}M" "$img"
  sgdisk \
    -n 1:1M:+${ESP_MIB}M -t 1:ef00 -c 1:EFI \
    -n 2:0:+${SLOT_MIB}M -t 2:8304 -c 2:quantix-system-a \
    -n 3:0:+${SLOT_MIB}M -t 3:8304 -c 3:quantix-system-b \
    -n 4:0:+${CONFIG_MIB}M -t 4:8300 -c 4:quantix-config \
    -n 5:0:+${DATA_MIB}M -t 5:8300 -c 5:quantix-data \
    "$img" >/dev/null
  local n src
  for n in 1 2 3 4 5; do
    case $n in 1) src=$esp ;; 2|3) src=$OUT/system.squashfs ;; 4) src=$cfg ;; 5) src=$data ;; esac
    dd if="$src" of="$img" bs=1M seek="$(part_start_mib "$img" "$n")" conv=notrunc,sparse status=none
  done
  rm -f "$esp" "$cfg" "$data" "$WORK/BOOTX64.EFI" "$WORK/grubenv"
}

# The start of partition N in MiB (sgdisk reports 512-byte sectors; every start is 1 MiB aligned).
part_start_mib() {
  local sector
  sector=$(sgdisk -i "$2" "$1" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
  [ -n "$sector" ] || die "partition $2 of $1 is missing"
  echo $((sector / 2048))
}

main() {
  [ "$(id -u)" -eq 0 ] || die "needs root (mmdebstrap, chroot)"
  install_host_packages
  mkdir -p "$CACHE" "$OUT"
  WORK="$CACHE/work"
  mkdir -p "$WORK"
  local start; start=$(date +%s)
  base_tarball
  local layer; layer=$(date +%s)
  system_tree
  squashfs
  initramfs
  disk
  rm -rf "$TREE"
  log "system layer + boot + disk: $(seconds_since "$layer") s; whole build: $(seconds_since "$start") s"
  log "squashfs $(du -m --apparent-size "$OUT/system.squashfs" | cut -f1) MiB," \
    "disk image $(du -m --apparent-size "$OUT/quantix-os.img" | cut -f1) MiB ($(du -m "$OUT/quantix-os.img" | cut -f1) MiB allocated)"
  log "out: $OUT/quantix-os.img, $OUT/manifest.txt ($(grep -vc '^#' "$OUT/manifest.txt") packages)"
}

main "$@"
