# Shared by the integration tests (sourced). ctest sets VMAHUNT (the CLI),
# VMAHUNT_TOOLS (test tools), VMAHUNT_LAB_OUT (the lab's output) and VMAHUNT_SRC.
set -euo pipefail
: "${VMAHUNT:?run through ctest: VMAHUNT is not set}"
: "${VMAHUNT_LAB_OUT:?run through ctest: VMAHUNT_LAB_OUT is not set}"

# Prints the lab output folders that hold a manifest; fails when there is none,
# because a test that finds no dump has tested nothing.
lab_dirs() {
	local found=0 d
	for d in "$VMAHUNT_LAB_OUT"/*/; do
		if [ -f "$d/manifest.json" ]; then
			echo "${d%/}"
			found=1
		fi
	done
	if [ $found = 0 ]; then
		echo "FAIL: no lab output in $VMAHUNT_LAB_OUT: build it with tests/lab/build-lab.sh" >&2
		return 1
	fi
}

# Prints the dump files listed in the manifests of the given lab folders.
lab_dumps() {
	python3 - "$@" <<'PY'
import json, os, sys
for lab in sys.argv[1:]:
    with open(os.path.join(lab, "manifest.json")) as f:
        for d in json.load(f)["dumps"]:
            print(os.path.join(lab, d["file"]))
PY
}

# Prints every lab folder with a qemu.elf; fails when there is none.
qemu_elf_labs() {
	local labs picks=() d
	mapfile -t labs < <(lab_dirs)
	for d in "${labs[@]}"; do
		[ -f "$d/qemu.elf" ] && picks+=("$d")
	done
	if [ ${#picks[@]} = 0 ]; then
		echo "FAIL: no lab folder with a qemu.elf in $VMAHUNT_LAB_OUT" >&2
		return 1
	fi
	printf '%s\n' "${picks[@]}"
}

# Prints the lab folders the damage tests use: 6.1 (maple tree) and 5.10 (VMA
# list + rbtree) when they have a qemu.elf, else the first folder with one;
# fails when there is none.
damage_labs() {
	local labs picks=() want d
	mapfile -t labs < <(lab_dirs)
	for want in 6.1 5.10; do
		for d in "${labs[@]}"; do
			if [ "$(basename "$d")" = "$want" ] && [ -f "$d/qemu.elf" ]; then
				picks+=("$d")
			fi
		done
	done
	if [ ${#picks[@]} = 0 ]; then
		for d in "${labs[@]}"; do
			[ -f "$d/qemu.elf" ] && picks+=("$d") && break
		done
	fi
	if [ ${#picks[@]} = 0 ]; then
		echo "FAIL: no lab folder with a qemu.elf in $VMAHUNT_LAB_OUT" >&2
		return 1
	fi
	printf '%s\n' "${picks[@]}"
}
