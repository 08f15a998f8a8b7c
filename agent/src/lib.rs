//! todo-ops: the operator agent (CLI, chat loop, playbooks; filled by later issues).
