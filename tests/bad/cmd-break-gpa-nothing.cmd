break gpa
