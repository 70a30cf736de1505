/*
 * YARA rules for the lab's plants (tests/lab/scenarios): each matches bytes a
 * scenario wrote into its memory, at an address the lab's truth.json gives.
 * tests/integration/yara_lab.py checks each plant's match at its pid and address.
 */

// inject (anon_rwx_code, heap_exec): the end of the 512-byte NOP sled, then
// mov eax,39; syscall; ret (x86-64) or mov x8,#172; svc #0; ret (arm64).
// Match address: start + stub_offset - 8.
rule lab_injected_stub : shellcode lab
{
	meta:
		severity = "high"
		description = "NOP sled then a getpid syscall stub"
	strings:
		$sled_stub = { 90 90 90 90 90 90 90 90 b8 27 00 00 00 0f 05 c3 }
		$sled_stub_a64 = { 1f 20 03 d5 1f 20 03 d5 88 15 80 d2 01 00 00 d4 c0 03 5f d6 }
	condition:
		any of them
}

// codepatch (code_modified): the stub then the marker, written over victim().
// Match address: start + patch_offset.
rule lab_patched_code : lab
{
	meta:
		severity = "high"
	strings:
		$patch = { b8 27 00 00 00 0f 05 c3 56 4D 41 48 55 4E 54 2D 50 41 54 43 48 45 44 }
		$patch_a64 = { 88 15 80 d2 01 00 00 d4 c0 03 5f d6 56 4D 41 48 55 4E 54 2D 50 41 54 43 48 45 44 }
	condition:
		any of them
}

// fileless (memfd_exec, deleted_file_exec): the program's own ELF, mapped whole.
// Match address of $elf: start.
rule lab_fileless_elf : lab elf
{
	meta:
		severity = "medium"
	strings:
		$elf = { 7f 45 4c 46 02 01 01 }
		$memfd = "vmahunt-fileless"
		$deleted = "/tmp/vmahunt-deleted.bin"
	condition:
		all of them
}

// reflect (anon_elf_exec): the program's ELF copied into anonymous memory.
// Match address of $elf: start.
rule lab_reflected_elf : lab elf
{
	strings:
		$elf = { 7f 45 4c 46 02 01 01 }
		$kind = "anon_elf_exec"
	condition:
		all of them
}

// hidevma (hidden_vma): page 0 of the VMA the lab module took out of the tree;
// the plugin finds it as hidden pages. Match address: start.
rule lab_hidden_vma : lab
{
	meta:
		severity = "low"
	strings:
		$page0 = "VMAHUNT-HIDDEN-VMA page 0"
	condition:
		$page0
}

// ptewiden (pte_widened): the page whose PTE the lab module widened is page 1
// of its VMA. Match address: start.
rule lab_pte_widened : lab
{
	meta:
		severity = "info"
	strings:
		$page1 = "VMAHUNT-PTE-WIDEN page 1"
	condition:
		$page1
}

// la57probe (la57_probe): the page it mapped, above 2^47 under 5-level paging.
// Match address: start.
rule lab_la57_probe : lab
{
	meta:
		severity = "info"
		la57 = true
	strings:
		$probe = "VMAHUNT-LA57-PROBE"
	condition:
		$probe
}
