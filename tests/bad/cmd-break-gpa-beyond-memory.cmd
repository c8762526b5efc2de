break gpa 0x200000000
