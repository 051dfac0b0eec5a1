package io.quantix.shell.internal;

import io.quantix.api.agent.FileTransfer;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;

@Service
@Command(scope = "qx", name = "vm-file-pull", description = "Copies a file of a VM through its guest agent to a new file"
        + " of the node (under the folders API clients may name), checked by SHA-256")
public class VmFilePull extends AgentAction {
    @Argument(index = 1, name = "guest-path", required = true, description = "absolute path in the guest")
    String guestPath;

    @Argument(index = 2, name = "local", required = true, description = "absolute path of a new file on the node")
    @Completion(FileCompleter.class)
    String local;

    @Override
    protected Object run() {
        FileTransfer got = agents.pull(vm, guestPath, local);
        System.out.println(vm + ":" + guestPath + " -> " + got.path() + ": " + Format.bytes(got.bytes()) + ", SHA-256 "
                + got.sha256());
        return null;
    }
}
