break 0x1000
delete 99
